// resolve_options: required options and positionals, and secret values never echoed.
#include "option_resolver_test_support.hpp"

namespace {

using namespace option_resolver_test;

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

}  // namespace
