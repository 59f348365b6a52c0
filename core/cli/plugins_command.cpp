#include "cli/commands.hpp"

#include <fmt/format.h>

#include <array>
#include <map>

namespace concierge::cli {

bool is_builtin_command(const std::string& name) {
    static const std::array<std::string, 5> builtins{"help", "history", "plugin", "plugins", "version"};
    return std::find(builtins.begin(), builtins.end(), name) != builtins.end();
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
