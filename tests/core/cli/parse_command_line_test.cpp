// parse_command_line: options, positionals and global options among a plugin's arguments.
#include "option_resolver_test_support.hpp"

namespace {

using namespace option_resolver_test;

TEST(ParseCommandLine, LongOptionWithSeparateValue) {
    const auto line = parse({"web", "--replicas", "3", "--label", "blue"});
    EXPECT_EQ(line.given.at("replicas"), "3");
    EXPECT_EQ(line.given.at("label"), "blue");
}

TEST(ParseCommandLine, LongOptionWithEqualsValue) {
    const auto line = parse({"web", "--replicas=4", "--label=a=b"});
    EXPECT_EQ(line.given.at("replicas"), "4");
    EXPECT_EQ(line.given.at("label"), "a=b");
}

TEST(ParseCommandLine, ShortOptionWithSeparateOrAdjacentValue) {
    EXPECT_EQ(parse({"web", "-r", "5"}).given.at("replicas"), "5");
    EXPECT_EQ(parse({"web", "-r6"}).given.at("replicas"), "6");
}

TEST(ParseCommandLine, ValuesAreKeptAsTypedWithoutValidation) {
    // Validation is resolve_options' job, so it can name the source.
    EXPECT_EQ(parse({"web", "--replicas", "many"}).given.at("replicas"), "many");
}

TEST(ParseCommandLine, PositionalsFillInDeclarationOrder) {
    const auto line = parse({"web", "prod"});
    EXPECT_EQ(line.given.at("service"), "web");
    EXPECT_EQ(line.given.at("stage"), "prod");
}

TEST(ParseCommandLine, PositionalsMayComeAfterOrBetweenOptions) {
    const auto line = parse({"--replicas", "2", "web", "--label", "x", "prod"});
    EXPECT_EQ(line.given.at("service"), "web");
    EXPECT_EQ(line.given.at("stage"), "prod");
    EXPECT_EQ(line.given.at("replicas"), "2");
}

TEST(ParseCommandLine, DoubleDashMakesTheRestPositional) {
    const auto line = parse({"--", "-weird-name"});
    EXPECT_EQ(line.given.at("service"), "-weird-name");
}

TEST(ParseCommandLine, AbsentOptionsAreNotInGiven) {
    const auto line = parse({"web"});
    EXPECT_EQ(line.given, (std::map<std::string, std::string>{{"service", "web"}}));
}

TEST(ParseCommandLine, FlagPresentIsTrueAndAbsentIsNotGiven) {
    EXPECT_EQ(parse({"web", "--dry-run"}).given.at("dry-run"), "true");
    EXPECT_EQ(parse({"web", "-n"}).given.at("dry-run"), "true");
    EXPECT_EQ(parse({"web"}).given.count("dry-run"), 0u);
}

TEST(ParseCommandLine, FlagDoesNotSwallowTheNextArgument) {
    const auto line = parse({"--dry-run", "web"});
    EXPECT_EQ(line.given.at("dry-run"), "true");
    EXPECT_EQ(line.given.at("service"), "web");
}

TEST(ParseCommandLine, UnknownOptionIsAUsageError) {
    const auto message = usage_error_of([] { parse({"web", "--nope", "1"}); });
    EXPECT_NE(message.find("nope"), std::string::npos) << message;
}

TEST(ParseCommandLine, TooManyPositionalsIsAUsageError) {
    const auto message = usage_error_of([] { parse({"web", "prod", "extra"}); });
    EXPECT_NE(message.find("too many"), std::string::npos) << message;
}

TEST(ParseCommandLine, MissingValueIsAUsageError) {
    usage_error_of([] { parse({"web", "--replicas"}); });
}

TEST(ParseCommandLine, AbbreviatedLongOptionIsRejected) {
    usage_error_of([] { parse({"web", "--rep", "3"}); });
    usage_error_of([] { parse({"web", "--dry"}); });
    usage_error_of([] { parse({"web", "--out", "json"}); });  // nor for global options
}

TEST(ParseCommandLine, GlobalOptionsAmongPluginArgumentsGoToGlobals) {
    const auto line = parse({"web", "--output", "json", "--replicas", "2", "-v", "prod", "--help"});
    EXPECT_EQ(line.globals.output, "json");
    EXPECT_TRUE(line.globals.verbose);
    EXPECT_TRUE(line.globals.help);
    EXPECT_FALSE(line.globals.quiet);
    EXPECT_EQ(line.given.at("replicas"), "2");
    EXPECT_EQ(line.given.at("service"), "web");
    EXPECT_EQ(line.given.at("stage"), "prod");
    EXPECT_EQ(line.given.count("output"), 0u);
}

TEST(ParseCommandLine, ShortGlobalOptions) {
    const auto line = parse({"-o", "json", "web", "-q", "-h"});
    EXPECT_EQ(line.globals.output, "json");
    EXPECT_TRUE(line.globals.quiet);
    EXPECT_TRUE(line.globals.help);
    EXPECT_EQ(line.given.at("service"), "web");
}

TEST(ParseCommandLine, HistoryAndConfigGlobals) {
    const auto line = parse({"web", "--history", "/tmp/h.db", "--config=/tmp/c"});
    EXPECT_EQ(line.globals.history, "/tmp/h.db");
    EXPECT_EQ(line.globals.config, "/tmp/c");
}

TEST(ParseCommandLine, GlobalsFromBeforeTheCommandAreKeptWhenNotRepeated) {
    GlobalOptions before;
    before.output = "json";
    before.verbose = true;
    before.history = "/h.db";
    const auto line = parse({"web"}, before);
    EXPECT_EQ(line.globals.output, "json");
    EXPECT_TRUE(line.globals.verbose);
    EXPECT_EQ(line.globals.history, "/h.db");
}

TEST(ParseCommandLine, GlobalRepeatedAfterTheCommandWins) {
    GlobalOptions before;
    before.output = "table";
    EXPECT_EQ(parse({"web", "-o", "json"}, before).globals.output, "json");
}

}  // namespace
