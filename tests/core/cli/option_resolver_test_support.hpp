// What the option resolver's tests share: a plugin's declared options, and the sources (command
// line, environment, config file) a value may come from.
#pragma once

#include "cli/option_resolver.hpp"

#include "config/config_file.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace option_resolver_test {

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
inline std::vector<OptionSpec> deploy_specs() {
    return {
        {.name = "service", .help = "what to deploy", .required = true, .positional = true},
        {.name = "stage", .help = "where", .positional = true},
        {.name = "replicas", .short_name = 'r', .help = "how many", .type = OptionType::Integer},
        {.name = "timeout", .help = "how long", .type = OptionType::Duration},
        {.name = "dry-run", .short_name = 'n', .help = "do nothing", .type = OptionType::Flag},
        {.name = "label", .help = "a label"},
    };
}

inline CommandLine parse(const Args& args, GlobalOptions globals = {}) {
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

inline EnvLookup no_env() {
    return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

inline EnvLookup env_of(std::map<std::string, std::string> variables) {
    return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
        const auto found = variables.find(name);
        if (found == variables.end()) return std::nullopt;
        return found->second;
    };
}

inline CommandLine given(std::map<std::string, std::string> values) {
    CommandLine line;
    line.given = std::move(values);
    return line;
}

inline std::vector<OptionSpec> one(OptionSpec spec) { return {std::move(spec)}; }

}  // namespace option_resolver_test
