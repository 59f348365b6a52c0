// Settings every command shares, resolved once from flags > environment > config file > defaults.
#pragma once

#include "cli/option_resolver.hpp"
#include "config/config_file.hpp"

#include <concierge/sdk/output.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

namespace concierge::cli {

struct Session {
    GlobalOptions globals;
    config::ConfigFile config;
    std::filesystem::path config_path;
    std::FILE* out = stdout;
    std::FILE* err = stderr;

    /// Loads the config file the globals, CONCIERGE_CONFIG or XDG_CONFIG_HOME point at.
    static Session open(GlobalOptions globals, std::FILE* out, std::FILE* err);

    sdk::OutputFormat output_format() const;
    /// --history, $CONCIERGE_HOME/history.db, config `history`, $XDG_STATE_HOME/concierge/history.db,
    /// ~/.local/state/concierge/history.db.
    std::filesystem::path history_path() const;
    sdk::LogLevel log_threshold() const;
    /// Prints a table in the chosen format.
    void print(const sdk::Table& table) const;
};

std::optional<std::string> env_value(const std::string& name);

}  // namespace concierge::cli
