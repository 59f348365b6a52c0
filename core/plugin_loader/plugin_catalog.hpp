// Describing plugins without running their code in this process.
//
// Opening a library runs its constructors, so `concierge plugins`, help, the manual page and
// completion never open one themselves: a child process, `concierge __describe-plugin PATH NAME`,
// loads it with load() and writes what it found as JSON on stdout. A plugin whose code aborts,
// crashes or hangs there takes only the child with it and is described as broken. Descriptions
// are cached by path, device, inode, size and modification time, so the next listing or TAB opens
// nothing at all. Running a plugin still loads it in-process (plugin_loader.hpp).
#pragma once

#include "plugin_loader/plugin_loader.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace concierge::plugin_loader {

using Described = std::variant<PluginDescription, Refusal>;

/// The hidden command that describes a plugin in a child process.
inline constexpr std::string_view kDescribeCommand = "__describe-plugin";

struct CatalogSetup {
    std::filesystem::path executable;                ///< run as `executable __describe-plugin PATH NAME`
    std::optional<std::filesystem::path> cache_file;  ///< none: every description is probed afresh
    std::chrono::seconds timeout{10};                 ///< a child still describing after this is killed
};

/// $XDG_CACHE_HOME/concierge/plugins.json, else ~/.cache/concierge/plugins.json; none without either.
std::optional<std::filesystem::path> cache_file_from_environment();

/// Each file's description, in order: a refusal for an untrusted file (trust_problem, never
/// probed), from the cache when the file is unchanged, else from a child process. Rewrites the
/// cache when anything changed; a cache that cannot be read or written is only not used.
std::vector<Described> describe(const std::vector<PluginFile>& files, const CatalogSetup& setup);
Described describe(const PluginFile& file, const CatalogSetup& setup);

/// The child's side: loads the plugin and prints its description (or refusal) as one JSON object
/// on stdout, the plugin's own stdout sent to /dev/null so it cannot garble the answer. Returns 0.
int describe_command(const std::filesystem::path& path, const std::string& name);

}  // namespace concierge::plugin_loader
