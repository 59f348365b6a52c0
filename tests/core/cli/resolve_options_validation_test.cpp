// resolve_options: integers, durations and flags checked and canonicalised, naming the source of a bad value.
#include "option_resolver_test_support.hpp"

namespace {

using namespace option_resolver_test;

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

}  // namespace
