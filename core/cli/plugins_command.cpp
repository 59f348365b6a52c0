#include "cli/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace concierge::cli {

bool is_builtin_command(const std::string& name) {
    const auto& builtins = builtin_commands();
    return std::any_of(builtins.begin(), builtins.end(), [&](const BuiltinCommand& command) { return command.name == name; });
}

std::vector<plugin_loader::PluginFile> runnable_files(const std::vector<std::filesystem::path>& search_path) {
    auto files = plugin_loader::discover(search_path);
    std::erase_if(files, [](const auto& file) { return file.shadowed || is_builtin_command(file.name); });
    return files;
}

std::vector<plugin_loader::PluginDescription> runnable_plugins(const PluginPlaces& places) {
    std::vector<plugin_loader::PluginDescription> plugins;
    for (auto& described : plugin_loader::describe(runnable_files(places.search_path), places.catalog))
        if (auto* plugin = std::get_if<plugin_loader::PluginDescription>(&described)) plugins.push_back(std::move(*plugin));
    return plugins;
}

int plugins_command(const Session& session, const PluginPlaces& places) {
    sdk::Table table{{{"name", "NAME"},
                      {"version", "VERSION"},
                      {"abi", "ABI"},
                      {"status", "STATUS"},
                      {"summary", "SUMMARY"},
                      {"path", "PATH"},
                      {"problem", "PROBLEM"}},
                     {}};
    const auto files = plugin_loader::discover(places.search_path);
    std::vector<plugin_loader::PluginFile> first_files;
    std::copy_if(files.begin(), files.end(), std::back_inserter(first_files), [](const auto& file) { return !file.shadowed; });
    const auto described = plugin_loader::describe(first_files, places.catalog);
    auto next_described = described.begin();
    std::map<std::string, std::filesystem::path> first_of_name;
    for (const auto& file : files) {
        sdk::Cell version, abi, summary, problem;
        std::string status = "ok";
        if (file.shadowed) {
            status = "shadowed";
            problem = fmt::format("shadowed by {}", first_of_name[file.name].string());
        } else {
            first_of_name[file.name] = file.path;
            const auto& result = *next_described++;
            if (const auto* plugin = std::get_if<plugin_loader::PluginDescription>(&result)) {
                version = plugin->version;
                abi = fmt::format("{}.{}", plugin->abi_major, plugin->abi_minor);
                summary = plugin->summary;
                if (is_builtin_command(file.name)) {
                    status = "hidden";
                    problem = fmt::format("the built-in command '{}' takes precedence", file.name);
                }
            } else {
                const auto& refusal = std::get<plugin_loader::Refusal>(result);
                status = refusal.broken ? "broken" : "refused";
                problem = refusal.reason;
            }
        }
        table.rows.push_back({file.name, version, abi, status, summary, file.path.string(), problem});
    }
    session.print(table);
    return 0;
}

}  // namespace concierge::cli
