#include "runtime/exception_detail.hpp"

#include <Poco/JSON/JSONException.h>
#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <string>

namespace concierge::runtime {
namespace {

template <class E>
std::string detail_of(const E& exception) {
    try {
        throw exception;
    } catch (...) {
        return current_exception_detail();
    }
}

TEST(ExceptionDetail, PocoGivesItsDisplayTextNotOnlyItsClassName) {
    const Poco::JSON::JSONException e("Maximum depth exceeded");
    ASSERT_STREQ(e.what(), "JSON Exception");  // what() alone tells the user nothing
    EXPECT_EQ(detail_of(e), "JSON Exception: Maximum depth exceeded");
}

TEST(ExceptionDetail, OtherExceptionsGiveTheirWhatAndUnknownOnesSaySo) {
    EXPECT_EQ(detail_of(std::out_of_range("stoi")), "stoi");
    EXPECT_EQ(detail_of(std::bad_alloc()), "out of memory");
    EXPECT_EQ(detail_of(42), "an exception of unknown type");
}

}  // namespace
}  // namespace concierge::runtime
