// The built-in commands. Each returns the process exit code; usage errors are thrown as UsageError.
#pragma once

#include "cli/application.hpp"
#include "cli/session.hpp"
#include "plugin_loader/plugin_catalog.hpp"
#include "plugin_loader/plugin_loader.hpp"

#include <boost/program_options/options_description.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace concierge::cli {

/// What a built-in command is run with: the global options typed before it, the words after it.
struct BuiltinCall {
    const GlobalOptions& leading;
    const std::vector<std::string>& args;
    const ProcessIo& io;
};

/// A built-in command: how dispatch runs it, and how general help, the man page and shell
/// completion present it.
struct BuiltinCommand {
    std::string_view name;   ///< the word typed after `concierge`
    std::string_view alias;  ///< another word that runs it ("--version"), or empty
    std::string_view usage;  ///< e.g. "history show ID"
    std::string_view help;   ///< one line; empty for commands no help shows (__complete)
    int (*run)(const BuiltinCall&);
};

/// Every built-in command, in the order help lists them; a name may have several usages, each
/// row with the same handler. Adding a built-in is adding a row to the table (application.cpp).
const std::vector<BuiltinCommand>& builtin_commands();

/// Names a plugin cannot take, because a built-in command answers to them.
bool is_builtin_command(const std::string& name);

/// Where plugins are found and how they are described without opening them here (plugin_catalog.hpp).
struct PluginPlaces {
    std::vector<std::filesystem::path> search_path;
    plugin_loader::CatalogSetup catalog;
};

/// The files `concierge NAME` would load: the first of each name, not hidden by a built-in command.
std::vector<plugin_loader::PluginFile> runnable_files(const std::vector<std::filesystem::path>& search_path);

/// The descriptions of the runnable_files that would load, from the catalog.
std::vector<plugin_loader::PluginDescription> runnable_plugins(const PluginPlaces& places);

/// `concierge plugins`: every plugin on the search path and what is wrong with it, if anything.
int plugins_command(const Session& session, const PluginPlaces& places);

/// `concierge help` with no plugin: usage, built-in commands and the plugins' summaries.
void print_general_help(std::FILE* out, const PluginPlaces& places);

/// `concierge help NAME` and `concierge NAME --help`.
void print_plugin_help(std::FILE* out, const plugin_loader::PluginDescription& plugin);

/// The options of `concierge history` (the run list) and of `concierge plugin new`.
boost::program_options::options_description history_list_options();
boost::program_options::options_description plugin_new_options();

/// `concierge history [list options]`, `history show ID`, `history export ID --dir DIR`.
int history_command(const GlobalOptions& leading, const std::vector<std::string>& args, std::FILE* out, std::FILE* err);

/// `concierge plugin new NAME [--dir DIR]`: writes a plugin project that builds against the
/// installed SDK as generated, from the templates in core/cli/templates/plugin/.
int plugin_command(const GlobalOptions& leading, const std::vector<std::string>& args, const std::filesystem::path& executable,
                   std::FILE* out, std::FILE* err);

/// `concierge completion bash`: prints the bash completion script, which asks `concierge __complete`.
int completion_command(const std::vector<std::string>& args, std::FILE* out);

/// `concierge __complete WORD... CURRENT`: the candidates for CURRENT after the words typed so far
/// (all words after `concierge`), one per line, from the declared options of the built-in commands
/// and of the plugins on the search path.
int complete_command(const std::vector<std::string>& words, const PluginPlaces& places, std::FILE* out);

/// `concierge man`: the manual page concierge(1) in roff, with the plugins on the search path.
int man_command(const std::vector<std::string>& args, const PluginPlaces& places, std::FILE* out);

}  // namespace concierge::cli
