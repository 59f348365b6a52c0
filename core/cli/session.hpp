// Settings every command shares, resolved once from flags > environment > config file > defaults.
#pragma once

#include "cli/option_resolver.hpp"
#include "config/config_file.hpp"
#include "history/history_store.hpp"

#include <concierge/sdk/output.hpp>

#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
    /// Opens the history database at history_path(); its warnings go to `err`.
    std::unique_ptr<history::HistoryStore> open_history() const;
    /// --history-required, CONCIERGE_HISTORY_REQUIRED, config `history.required`, else true.
    /// UsageError when it is not a boolean.
    bool history_required() const;
    sdk::LogLevel log_threshold() const;
    /// Prints a table in the chosen format.
    void print(const sdk::Table& table) const;
};

std::optional<std::string> env_value(const std::string& name);

/// Parses a built-in subcommand's arguments into `map`, global options mixed in, and opens the
/// session. After --help it prints "Usage: `usage`" and `own`, and returns nothing. Throws UsageError.
std::optional<Session> parse_subcommand(const GlobalOptions& leading, boost::program_options::options_description& own,
                                        const boost::program_options::positional_options_description& positional,
                                        const std::vector<std::string>& args, const char* usage,
                                        boost::program_options::variables_map& map, std::FILE* out, std::FILE* err);

}  // namespace concierge::cli
