#include "runtime/exception_detail.hpp"

#include <Poco/Exception.h>

#include <new>
#include <stdexcept>

namespace concierge::runtime {

std::string current_exception_detail() {
    try {
        throw;
    } catch (const Poco::Exception& e) {
        return e.displayText();
    } catch (const std::bad_alloc&) {
        return "out of memory";
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception of unknown type";
    }
}

}  // namespace concierge::runtime
