#include "cli/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace concierge::cli {

bool is_builtin_command(const std::string& name) {
    const auto& builtins = builtin_commands();
    return std::any_of(builtins.begin(), builtins.end(), [&](const BuiltinCommand& command) { return command.name == name; });
}

std::vector<plugin_loader::LoadedPlugin> runnable_plugins(const std::vector<std::filesystem::path>& search_path) {
    std::vector<plugin_loader::LoadedPlugin> plugins;
    for (const auto& file : plugin_loader::discover(search_path)) {
        if (file.shadowed || is_builtin_command(file.name)) continue;
        auto result = plugin_loader::load(file.path, file.name);
        if (auto* plugin = std::get_if<plugin_loader::LoadedPlugin>(&result)) plugins.push_back(std::move(*plugin));
    }
    return plugins;
}

int plugins_command(const Session& session, const std::vector<std::filesystem::path>& search_path) {
    sdk::Table table{{{"name", "NAME"},
                      {"version", "VERSION"},
                      {"abi", "ABI"},
                      {"status", "STATUS"},
                      {"summary", "SUMMARY"},
                      {"path", "PATH"},
                      {"problem", "PROBLEM"}},
                     {}};
    std::map<std::string, std::filesystem::path> first_of_name;
    for (const auto& file : plugin_loader::discover(search_path)) {
        sdk::Cell version, abi, summary, problem;
        std::string status = "ok";
        if (file.shadowed) {
            status = "shadowed";
            problem = fmt::format("shadowed by {}", first_of_name[file.name].string());
        } else {
            first_of_name[file.name] = file.path;
            const auto result = plugin_loader::load(file.path, file.name);
            if (const auto* plugin = std::get_if<plugin_loader::LoadedPlugin>(&result)) {
                version = plugin->version;
                abi = fmt::format("{}.{}", plugin->abi_major, plugin->abi_minor);
                summary = plugin->summary;
                if (is_builtin_command(file.name)) {
                    status = "hidden";
                    problem = fmt::format("the built-in command '{}' takes precedence", file.name);
                }
            } else {
                status = "refused";
                problem = std::get<plugin_loader::Refusal>(result).reason;
            }
        }
        table.rows.push_back({file.name, version, abi, status, summary, file.path.string(), problem});
    }
    session.print(table);
    return 0;
}

}  // namespace concierge::cli
