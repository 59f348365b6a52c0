// parse_duration_millis: the duration syntax options and --since share.
#include "option_resolver_test_support.hpp"

namespace {

using namespace option_resolver_test;

TEST(ParseDurationMillis, UnitsConvertToMilliseconds) {
    EXPECT_EQ(parse_duration_millis("90s"), 90'000);
    EXPECT_EQ(parse_duration_millis("5m"), 300'000);
    EXPECT_EQ(parse_duration_millis("250ms"), 250);
    EXPECT_EQ(parse_duration_millis("1h"), 3'600'000);
    EXPECT_EQ(parse_duration_millis("0ms"), 0);
}

TEST(ParseDurationMillis, BareNumberIsSeconds) {
    EXPECT_EQ(parse_duration_millis("3"), 3'000);
    EXPECT_EQ(parse_duration_millis("0"), 0);
}

TEST(ParseDurationMillis, MalformedTextIsRejected) {
    for (const std::string bad : {"", "s", "ms", "abc", "5x", "5S", "5 s", " 5s", "5s ", "-5s", "+5s", "1.5s", "5sec", "5mss", "h1"})
        EXPECT_FALSE(parse_duration_millis(bad).has_value()) << "'" << bad << "'";
}

TEST(ParseDurationMillis, NumberTooBigForInt64IsRejected) {
    EXPECT_FALSE(parse_duration_millis("99999999999999999999").has_value());
}

// BUG (core/cli/option_resolver.cpp, parse_duration_millis): `number * 1000` (and * 60'000,
// * 3'600'000) is not checked, so a large value overflows int64 (undefined behaviour; in practice
// "4611686018427387904h" comes back as 0 and "9223372036854776s" as a negative number, which
// resolve_options then hands to the plugin as a valid duration). Enable once fixed.
TEST(ParseDurationMillis, ResultThatWouldOverflowIsRejectedNotWrapped) {
    // 2^62 hours is far beyond int64 milliseconds; it must not come back as some wrapped value.
    const auto hours = parse_duration_millis("4611686018427387904h");
    EXPECT_FALSE(hours.has_value()) << *hours;
    const auto seconds = parse_duration_millis("9223372036854776s");
    EXPECT_FALSE(seconds.has_value()) << *seconds;
    EXPECT_EQ(parse_duration_millis("9223372036854775807ms"), INT64_MAX);
}

}  // namespace
