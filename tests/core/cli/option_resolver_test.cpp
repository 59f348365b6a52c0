#include "cli/option_resolver.hpp"

#include "config/config_file.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

using concierge::cli::CommandLine;
using concierge::cli::EnvLookup;
using concierge::cli::GlobalOptions;
using concierge::cli::parse_command_line;
using concierge::cli::parse_duration_millis;
using concierge::cli::parse_leading_globals;
using concierge::cli::resolve_options;
using concierge::cli::UsageError;
using concierge::config::ConfigFile;
using concierge::sdk::OptionSpec;
using concierge::sdk::OptionType;

using Args = std::vector<std::string>;
using Values = std::map<std::string, std::string>;

// A plugin's options: two positionals, then options of every type.
std::vector<OptionSpec> deploy_specs() {
    return {
        {.name = "service", .help = "what to deploy", .required = true, .positional = true},
        {.name = "stage", .help = "where", .positional = true},
        {.name = "replicas", .short_name = 'r', .help = "how many", .type = OptionType::Integer},
        {.name = "timeout", .help = "how long", .type = OptionType::Duration},
        {.name = "dry-run", .short_name = 'n', .help = "do nothing", .type = OptionType::Flag},
        {.name = "label", .help = "a label"},
    };
}

CommandLine parse(const Args& args, GlobalOptions globals = {}) {
    return parse_command_line(deploy_specs(), args, std::move(globals));
}

std::string usage_error_of(const auto& action) {
    try {
        action();
    } catch (const UsageError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no UsageError";
    return {};
}

EnvLookup no_env() {
    return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

EnvLookup env_of(std::map<std::string, std::string> variables) {
    return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
        const auto found = variables.find(name);
        if (found == variables.end()) return std::nullopt;
        return found->second;
    };
}

CommandLine given(std::map<std::string, std::string> values) {
    CommandLine line;
    line.given = std::move(values);
    return line;
}

// --- parse_command_line ---------------------------------------------------------------------------

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

// --- parse_leading_globals ------------------------------------------------------------------------

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

// --- resolve_options: precedence -----------------------------------------------------------------

std::vector<OptionSpec> one(OptionSpec spec) { return {std::move(spec)}; }

TEST(ResolveOptions, CommandLineBeatsEnvironmentConfigAndDefault) {
    const auto specs = one({.name = "host", .default_value = "from-default", .env = "HOST_ENV"});
    const auto config = ConfigFile::parse("[p]\nhost = from-config\n", "t");
    const auto values = resolve_options(specs, given({{"host", "from-flag"}}), env_of({{"HOST_ENV", "from-env"}}), config, "p");
    EXPECT_EQ(values.at("host"), "from-flag");
}

TEST(ResolveOptions, EnvironmentBeatsConfigAndDefault) {
    const auto specs = one({.name = "host", .default_value = "from-default", .env = "HOST_ENV"});
    const auto config = ConfigFile::parse("[p]\nhost = from-config\n", "t");
    const auto values = resolve_options(specs, given({}), env_of({{"HOST_ENV", "from-env"}}), config, "p");
    EXPECT_EQ(values.at("host"), "from-env");
}

TEST(ResolveOptions, FirstSetOfSeveralEnvironmentVariablesWins) {
    const auto specs = one({.name = "user", .env = "NEW_USER,OLD_USER"});
    EXPECT_EQ(resolve_options(specs, given({}), env_of({{"OLD_USER", "old"}}), ConfigFile{}, "p").at("user"), "old");
    EXPECT_EQ(resolve_options(specs, given({}), env_of({{"OLD_USER", "old"}, {"NEW_USER", "new"}}), ConfigFile{}, "p").at("user"), "new");
}

TEST(ResolveOptions, MalformedValueNamesTheVariableItCameFrom) {
    const auto specs = one({.name = "count", .type = OptionType::Integer, .env = "NEW_COUNT,OLD_COUNT"});
    const auto message = usage_error_of([&] { resolve_options(specs, given({}), env_of({{"OLD_COUNT", "x"}}), ConfigFile{}, "p"); });
    EXPECT_NE(message.find("environment variable OLD_COUNT"), std::string::npos) << message;
}

TEST(ResolveOptions, MissingRequiredOptionNamesEveryVariable) {
    const auto specs = one({.name = "user", .required = true, .env = "NEW_USER,OLD_USER"});
    const auto message = usage_error_of([&] { resolve_options(specs, given({}), env_of({}), ConfigFile{}, "p"); });
    EXPECT_NE(message.find("NEW_USER or OLD_USER"), std::string::npos) << message;
}

TEST(ResolveOptions, ConfigBeatsDefaultUnderPluginDotNameKey) {
    const auto specs = one({.name = "host", .default_value = "from-default", .env = "HOST_ENV"});
    const auto config = ConfigFile::parse("[p]\nhost = from-config\n", "t");
    EXPECT_EQ(resolve_options(specs, given({}), no_env(), config, "p").at("host"), "from-config");
}

TEST(ResolveOptions, ConfigOfAnotherPluginIsNotUsed) {
    const auto specs = one({.name = "host", .default_value = "from-default"});
    const auto config = ConfigFile::parse("[other]\nhost = from-config\n", "t");
    EXPECT_EQ(resolve_options(specs, given({}), no_env(), config, "p").at("host"), "from-default");
}

TEST(ResolveOptions, ExplicitConfigKeyReplacesTheDefaultKey) {
    const auto specs = one({.name = "host", .config_key = "zabbix.api-host"});
    const auto config = ConfigFile::parse("[p]\nhost = wrong\n[zabbix]\napi-host = right\n", "t");
    EXPECT_EQ(resolve_options(specs, given({}), no_env(), config, "p").at("host"), "right");
}

TEST(ResolveOptions, DefaultIsUsedWhenNoOtherSource) {
    const auto specs = one({.name = "host", .default_value = "from-default", .env = "HOST_ENV"});
    EXPECT_EQ(resolve_options(specs, given({}), no_env(), ConfigFile{}, "p").at("host"), "from-default");
}

TEST(ResolveOptions, OptionWithoutEnvIgnoresTheEnvironment) {
    const auto specs = one({.name = "host", .default_value = "from-default"});
    const EnvLookup everything = [](const std::string&) -> std::optional<std::string> { return "from-env"; };
    EXPECT_EQ(resolve_options(specs, given({}), everything, ConfigFile{}, "p").at("host"), "from-default");
}

TEST(ResolveOptions, OptionWithNoValueFromAnySourceIsAbsent) {
    const auto specs = one({.name = "host"});
    EXPECT_TRUE(resolve_options(specs, given({}), no_env(), ConfigFile{}, "p").empty());
}

TEST(ResolveOptions, EndToEndFromParsedCommandLine) {
    const auto specs = deploy_specs();
    const auto line = parse_command_line(specs, {"web", "-r", "3", "--timeout", "2m", "-n"}, {});
    const auto values = resolve_options(specs, line, no_env(), ConfigFile{}, "deploy");
    EXPECT_EQ(values, (Values{{"service", "web"}, {"replicas", "3"}, {"timeout", "120000"}, {"dry-run", "true"}}));
}

// --- resolve_options: validation -----------------------------------------------------------------

TEST(ResolveOptions, IntegerIsCanonicalised) {
    const auto specs = one({.name = "n", .type = OptionType::Integer});
    EXPECT_EQ(resolve_options(specs, given({{"n", "-42"}}), no_env(), ConfigFile{}, "p").at("n"), "-42");
    EXPECT_EQ(resolve_options(specs, given({{"n", "007"}}), no_env(), ConfigFile{}, "p").at("n"), "7");
}

TEST(ResolveOptions, MalformedIntegerFromTheCommandLineIsRejected) {
    const auto specs = one({.name = "n", .type = OptionType::Integer});
    for (const std::string bad : {"12x", "x", "", "1.5", " 3", "99999999999999999999"}) {
        const auto message = usage_error_of([&] { resolve_options(specs, given({{"n", bad}}), no_env(), ConfigFile{}, "p"); });
        EXPECT_NE(message.find("--n"), std::string::npos) << message;
        EXPECT_NE(message.find("command line"), std::string::npos) << message;
    }
}

TEST(ResolveOptions, MalformedIntegerFromEnvironmentNamesTheVariable) {
    const auto specs = one({.name = "replicas", .type = OptionType::Integer, .env = "REPLICAS"});
    const auto message = usage_error_of([&] { resolve_options(specs, given({}), env_of({{"REPLICAS", "lots"}}), ConfigFile{}, "p"); });
    EXPECT_NE(message.find("environment variable REPLICAS"), std::string::npos) << message;
    EXPECT_NE(message.find("lots"), std::string::npos) << message;
}

TEST(ResolveOptions, MalformedIntegerFromConfigNamesTheKey) {
    const auto specs = one({.name = "replicas", .type = OptionType::Integer});
    const auto config = ConfigFile::parse("[deploy]\nreplicas = three\n", "t");
    const auto message = usage_error_of([&] { resolve_options(specs, given({}), no_env(), config, "deploy"); });
    EXPECT_NE(message.find("config key deploy.replicas"), std::string::npos) << message;
}

TEST(ResolveOptions, MalformedDefaultIsRejectedToo) {
    const auto specs = one({.name = "replicas", .type = OptionType::Integer, .default_value = "two"});
    const auto message = usage_error_of([&] { resolve_options(specs, given({}), no_env(), ConfigFile{}, "p"); });
    EXPECT_NE(message.find("default"), std::string::npos) << message;
}

TEST(ResolveOptions, DurationIsConvertedToMilliseconds) {
    const auto specs = one({.name = "timeout", .type = OptionType::Duration});
    const std::map<std::string, std::string> cases{
        {"90s", "90000"}, {"5m", "300000"}, {"250ms", "250"}, {"1h", "3600000"}, {"3", "3000"}, {"0s", "0"}};
    for (const auto& [text, millis] : cases)
        EXPECT_EQ(resolve_options(specs, given({{"timeout", text}}), no_env(), ConfigFile{}, "p").at("timeout"), millis) << text;
}

TEST(ResolveOptions, DurationFromEnvironmentAndConfigIsConvertedToo) {
    const auto specs = one({.name = "timeout", .type = OptionType::Duration, .env = "TIMEOUT"});
    EXPECT_EQ(resolve_options(specs, given({}), env_of({{"TIMEOUT", "2m"}}), ConfigFile{}, "p").at("timeout"), "120000");
    const auto config = ConfigFile::parse("[p]\ntimeout = 1h\n", "t");
    EXPECT_EQ(resolve_options(specs, given({}), no_env(), config, "p").at("timeout"), "3600000");
}

TEST(ResolveOptions, MalformedDurationIsRejectedNamingTheSource) {
    const auto specs = one({.name = "timeout", .type = OptionType::Duration, .env = "TIMEOUT"});
    for (const std::string bad : {"90x", "soon", "-5s", "1.5s", "5 s", "m", ""}) {
        const auto message = usage_error_of([&] { resolve_options(specs, given({}), env_of({{"TIMEOUT", bad}}), ConfigFile{}, "p"); });
        EXPECT_NE(message.find("environment variable TIMEOUT"), std::string::npos) << bad << ": " << message;
    }
}

TEST(ResolveOptions, FlagFromEnvironmentAcceptsTheUsualSpellings) {
    const auto specs = one({.name = "loud", .type = OptionType::Flag, .env = "LOUD"});
    const std::map<std::string, std::string> cases{{"1", "true"},  {"0", "false"},  {"yes", "true"}, {"no", "false"},
                                                   {"on", "true"}, {"off", "false"}, {"true", "true"}, {"false", "false"},
                                                   {"TRUE", "true"}, {"Off", "false"}};
    for (const auto& [text, flag] : cases)
        EXPECT_EQ(resolve_options(specs, given({}), env_of({{"LOUD", text}}), ConfigFile{}, "p").at("loud"), flag) << text;
}

TEST(ResolveOptions, FlagFromEnvironmentRejectsOtherWords) {
    const auto specs = one({.name = "loud", .type = OptionType::Flag, .env = "LOUD"});
    for (const std::string bad : {"maybe", "2", "y", "enabled"}) {
        const auto message = usage_error_of([&] { resolve_options(specs, given({}), env_of({{"LOUD", bad}}), ConfigFile{}, "p"); });
        EXPECT_NE(message.find("environment variable LOUD"), std::string::npos) << message;
    }
}

TEST(ResolveOptions, FlagFromConfig) {
    const auto specs = one({.name = "loud", .type = OptionType::Flag});
    const auto config = ConfigFile::parse("[p]\nloud = yes\n", "t");
    EXPECT_EQ(resolve_options(specs, given({}), no_env(), config, "p").at("loud"), "true");
}

TEST(ResolveOptions, FlagOnTheCommandLineBeatsEnvironmentSayingNo) {
    const auto specs = one({.name = "loud", .type = OptionType::Flag, .env = "LOUD"});
    EXPECT_EQ(resolve_options(specs, given({{"loud", "true"}}), env_of({{"LOUD", "no"}}), ConfigFile{}, "p").at("loud"), "true");
}

// --- resolve_options: required and secret ---------------------------------------------------------

TEST(ResolveOptions, MissingRequiredOptionIsAUsageErrorNamingIt) {
    const auto specs = one({.name = "host", .required = true});
    const auto message = usage_error_of([&] { resolve_options(specs, given({}), no_env(), ConfigFile{}, "p"); });
    EXPECT_NE(message.find("--host"), std::string::npos) << message;
    EXPECT_EQ(message.find("set "), std::string::npos) << message;
}

TEST(ResolveOptions, MissingRequiredOptionMentionsItsEnvironmentVariable) {
    const auto specs = one({.name = "host", .required = true, .env = "ZBX_API_HOST"});
    const auto message = usage_error_of([&] { resolve_options(specs, given({}), no_env(), ConfigFile{}, "p"); });
    EXPECT_NE(message.find("--host"), std::string::npos) << message;
    EXPECT_NE(message.find("ZBX_API_HOST"), std::string::npos) << message;
}

TEST(ResolveOptions, MissingRequiredPositionalNamesTheArgument) {
    const auto specs = one({.name = "service-name", .required = true, .positional = true});
    const auto message = usage_error_of([&] { resolve_options(specs, given({}), no_env(), ConfigFile{}, "p"); });
    EXPECT_NE(message.find("SERVICE_NAME"), std::string::npos) << message;
}

TEST(ResolveOptions, PositionalNeverComesFromConfigOrEnvironment) {
    const auto specs = one({.name = "current", .positional = true, .env = "CURRENT"});
    const auto config = ConfigFile::parse("[p]\ncurrent = 3\n", "t");
    const auto values = resolve_options(specs, given({}), env_of({{"CURRENT", "4"}}), config, "p");
    EXPECT_EQ(values.count("current"), 0u);
    EXPECT_EQ(resolve_options(specs, given({{"current", "5"}}), env_of({{"CURRENT", "4"}}), config, "p").at("current"), "5");
}

TEST(ResolveOptions, RequiredPositionalIsMissingEvenWhenTheConfigFileNamesIt) {
    const auto specs = one({.name = "service", .required = true, .positional = true});
    const auto config = ConfigFile::parse("[p]\nservice = web\n", "t");
    const auto message = usage_error_of([&] { resolve_options(specs, given({}), no_env(), config, "p"); });
    EXPECT_NE(message.find("SERVICE"), std::string::npos) << message;
}

TEST(ResolveOptions, RequiredOptionIsSatisfiedByAnySource) {
    const auto specs = one({.name = "host", .required = true, .env = "H"});
    EXPECT_EQ(resolve_options(specs, given({}), env_of({{"H", "e"}}), ConfigFile{}, "p").at("host"), "e");
    EXPECT_EQ(resolve_options(specs, given({}), no_env(), ConfigFile::parse("[p]\nhost = c\n", "t"), "p").at("host"), "c");
}

TEST(ResolveOptions, SecretOptionsBadValueIsNotEchoed) {
    const auto specs = one({.name = "pin", .type = OptionType::Integer, .secret = true, .env = "PIN"});
    const auto message = usage_error_of([&] { resolve_options(specs, given({}), env_of({{"PIN", "hunter2"}}), ConfigFile{}, "p"); });
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    EXPECT_NE(message.find("***"), std::string::npos) << message;
    EXPECT_NE(message.find("--pin"), std::string::npos) << message;
}

TEST(ResolveOptions, SecretOptionsValueIsStillResolved) {
    const auto specs = one({.name = "password", .secret = true, .env = "PW"});
    EXPECT_EQ(resolve_options(specs, given({}), env_of({{"PW", "hunter2"}}), ConfigFile{}, "p").at("password"), "hunter2");
}

// --- parse_duration_millis ------------------------------------------------------------------------

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
