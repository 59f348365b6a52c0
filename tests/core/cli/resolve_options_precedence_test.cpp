// resolve_options: which source a value comes from (command line, environment, config file, default).
#include "option_resolver_test_support.hpp"

namespace {

using namespace option_resolver_test;

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

}  // namespace
