// The built-in commands. Each returns the process exit code; usage errors are thrown as UsageError.
#pragma once

#include "cli/session.hpp"
#include "plugin_loader/plugin_loader.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace concierge::cli {

/// Names a plugin cannot take, because a built-in command answers to them.
bool is_builtin_command(const std::string& name);

/// `concierge plugins`: every plugin on the search path and what is wrong with it, if anything.
int plugins_command(const Session& session, const std::vector<std::filesystem::path>& search_path);

/// `concierge help` with no plugin: usage, built-in commands and the plugins' summaries.
void print_general_help(std::FILE* out, const std::vector<std::filesystem::path>& search_path);

/// `concierge help NAME` and `concierge NAME --help`.
void print_plugin_help(std::FILE* out, const plugin_loader::LoadedPlugin& plugin);

/// `concierge history [list options]`, `history show ID`, `history export ID --dir DIR`.
int history_command(const GlobalOptions& leading, const std::vector<std::string>& args, std::FILE* out, std::FILE* err);

/// `concierge plugin new NAME [--dir DIR]`: writes a plugin project that builds against the
/// installed SDK as generated, from the templates in core/cli/templates/plugin/.
int plugin_command(const GlobalOptions& leading, const std::vector<std::string>& args, const std::filesystem::path& executable,
                   std::FILE* out, std::FILE* err);

}  // namespace concierge::cli
