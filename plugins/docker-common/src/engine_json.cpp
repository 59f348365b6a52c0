#include "engine_json.hpp"

#include <Poco/JSON/Stringifier.h>
#include <Poco/URI.h>

#include <sstream>

namespace concierge::engine_json {

std::string text(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value, out);
    return out.str();
}

std::string filters_query(const Poco::JSON::Object::Ptr& filters) {
    std::string encoded;
    Poco::URI::encode(text(filters), "&=+?#/:,{}[]\"", encoded);
    return "filters=" + encoded;
}

}  // namespace concierge::engine_json
