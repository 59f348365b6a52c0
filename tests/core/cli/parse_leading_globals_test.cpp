// parse_leading_globals: the global options before the command, and where the command is.
#include "option_resolver_test_support.hpp"

namespace {

using namespace option_resolver_test;

TEST(ParseLeadingGlobals, FindsTheCommandAfterOptionsWithValues) {
    const Args args{"-o", "json", "--history", "X", "deploy", "--replicas", "3"};
    const auto leading = parse_leading_globals(args);
    EXPECT_EQ(leading.command_index, 4u);
    EXPECT_EQ(leading.options.output, "json");
    EXPECT_EQ(leading.options.history, "X");
}

TEST(ParseLeadingGlobals, StopsAtTheFirstBareWord) {
    const Args args{"-v", "deploy", "-o", "json"};
    const auto leading = parse_leading_globals(args);
    EXPECT_EQ(leading.command_index, 1u);
    EXPECT_TRUE(leading.options.verbose);
    EXPECT_FALSE(leading.options.output.has_value());  // belongs to the command's part
}

TEST(ParseLeadingGlobals, CommandFirstMeansIndexZeroAndNoGlobals) {
    const auto leading = parse_leading_globals({"plugins", "--output", "json"});
    EXPECT_EQ(leading.command_index, 0u);
    EXPECT_FALSE(leading.options.output.has_value());
}

TEST(ParseLeadingGlobals, EqualsFormTakesOneArgument) {
    const auto leading = parse_leading_globals({"--output=json", "--config=/c", "run"});
    EXPECT_EQ(leading.command_index, 2u);
    EXPECT_EQ(leading.options.output, "json");
    EXPECT_EQ(leading.options.config, "/c");
}

TEST(ParseLeadingGlobals, NoCommandGivesArgsSize) {
    const auto leading = parse_leading_globals({"--help"});
    EXPECT_EQ(leading.command_index, 1u);
    EXPECT_TRUE(leading.options.help);
    EXPECT_EQ(parse_leading_globals({}).command_index, 0u);
}

TEST(ParseLeadingGlobals, StopsAtVersion) {
    const auto leading = parse_leading_globals({"-q", "--version"});
    EXPECT_EQ(leading.command_index, 1u);
    EXPECT_TRUE(leading.options.quiet);
}

TEST(ParseLeadingGlobals, UnknownLeadingOptionIsAUsageError) {
    usage_error_of([] { parse_leading_globals({"--bogus", "run"}); });
}

TEST(ParseLeadingGlobals, OptionMissingItsValueIsAUsageError) {
    usage_error_of([] { parse_leading_globals({"--history"}); });
}

}  // namespace
