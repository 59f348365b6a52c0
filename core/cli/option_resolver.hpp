// From argv to option values: parses the command line with Boost.Program_options from a plugin's
// declared options (plus the global ones), then fills each option from flag > environment
// variable > config file > default, validating its type whatever its source.
#pragma once

#include <concierge/sdk/options.hpp>

#include <boost/program_options/options_description.hpp>

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace concierge::config {
class ConfigFile;
}

namespace concierge::cli {

/// Bad command line or option value; exit code Usage.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Options every command accepts, before or after the command name.
struct GlobalOptions {
    std::optional<std::string> output;   ///< table | json
    std::optional<std::string> history;  ///< database path
    std::optional<std::string> history_required;  ///< "false": run on when history cannot be written
    std::optional<std::string> config;   ///< config file path
    bool verbose = false;
    bool quiet = false;
    bool help = false;
};

boost::program_options::options_description global_options_description(GlobalOptions& into);

/// The global options in front of the command name, and where the command starts.
struct LeadingGlobals {
    GlobalOptions options;
    std::size_t command_index = 0;  ///< index of the command in args, or args.size() if none
};
LeadingGlobals parse_leading_globals(const std::vector<std::string>& args);

/// The options description --help prints for a plugin (without the global ones).
boost::program_options::options_description plugin_options_description(const std::vector<sdk::OptionSpec>& specs,
                                                                        const std::string& plugin);

/// The placeholder --help shows for an option's value: N, DURATION, or its name in upper case.
std::string option_value_name(const sdk::OptionSpec& spec);

/// An option's help text as --help shows it: its help, default, env variables and config key.
std::string option_help(const sdk::OptionSpec& spec, const std::string& plugin);

/// Help lines for the options only the environment or config may set; empty when there are none.
std::string settings_only_help(const std::vector<sdk::OptionSpec>& specs, const std::string& plugin);

struct CommandLine {
    std::map<std::string, std::string> given;  ///< options present on the command line, as typed
    GlobalOptions globals;
};

/// Parses a command's arguments (everything after its name). Throws UsageError.
CommandLine parse_command_line(const std::vector<sdk::OptionSpec>& specs, const std::vector<std::string>& args,
                               GlobalOptions globals);

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

/// Resolved text of every option that has a value from any source; durations in milliseconds,
/// flags "true"/"false". Throws UsageError for a malformed value or a missing required option.
std::map<std::string, std::string> resolve_options(const std::vector<sdk::OptionSpec>& specs, const CommandLine& line,
                                                   const EnvLookup& env, const config::ConfigFile& config,
                                                   const std::string& plugin);

/// true/yes/on/1 or false/no/off/0 (any case; empty is false); nullopt for anything else.
std::optional<bool> parse_bool(std::string text);

/// "90s", "5m", "250ms", "1h"; a bare number is seconds. nullopt when malformed.
std::optional<std::int64_t> parse_duration_millis(const std::string& text);

}  // namespace concierge::cli
