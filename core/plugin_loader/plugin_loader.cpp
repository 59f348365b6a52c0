#include "plugin_loader/plugin_loader.hpp"

#include <boost/dll/shared_library.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace concierge::plugin_loader {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "concierge-";
constexpr std::string_view kSuffix = ".so";

std::optional<std::string> plugin_name_of(const fs::path& file) {
    const std::string name = file.filename().string();
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix) || name.size() <= kPrefix.size() + kSuffix.size())
        return std::nullopt;
    return name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
}

// Never unloaded, refused ones included: unloading code that may still own a vtable, a static or
// a thread is how plugin hosts crash at shutdown.
std::vector<boost::dll::shared_library>& loaded_libraries() {
    static auto* libraries = new std::vector<boost::dll::shared_library>;  // never destroyed, on purpose
    return *libraries;
}

std::string abi_text(std::uint32_t major, std::uint32_t minor) { return fmt::format("{}.{}", major, minor); }

}  // namespace

namespace {

std::vector<std::string> path_entries(const char* plugin_path_env) {
    std::vector<std::string> entries;
    std::string_view rest(plugin_path_env ? plugin_path_env : "");
    while (!rest.empty()) {
        const auto colon = rest.find(':');
        const auto entry = rest.substr(0, colon);
        if (!entry.empty()) entries.emplace_back(entry);
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return entries;
}

}  // namespace

std::vector<fs::path> search_path(const char* plugin_path_env, const fs::path& executable) {
    std::vector<fs::path> directories;
    for (const auto& entry : path_entries(plugin_path_env))
        if (fs::path(entry).is_absolute()) directories.emplace_back(entry);
    directories.push_back((executable.parent_path() / CONCIERGE_PLUGIN_RELATIVE_DIR).lexically_normal());
    return directories;
}

std::vector<std::string> ignored_path_entries(const char* plugin_path_env) {
    std::vector<std::string> ignored;
    for (const auto& entry : path_entries(plugin_path_env))
        if (!fs::path(entry).is_absolute()) ignored.push_back(entry);
    return ignored;
}

bool valid_plugin_name(std::string_view name) {
    return !name.empty() && name.front() != '-' &&
           std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::vector<PluginFile> discover(const std::vector<fs::path>& directories) {
    std::vector<PluginFile> found;
    std::set<std::string> seen;
    std::set<fs::path> visited;
    for (const auto& directory : directories) {
        std::error_code error;
        const auto canonical = fs::weakly_canonical(directory, error);
        if (!visited.insert(error ? directory : canonical).second) continue;  // listed twice
        std::vector<PluginFile> here;
        for (const auto& entry : fs::directory_iterator(directory, error)) {
            if (auto name = plugin_name_of(entry.path()); name && !entry.is_directory())
                here.push_back({*name, entry.path()});
        }
        std::sort(here.begin(), here.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        for (auto& file : here) {
            file.shadowed = !seen.insert(file.name).second;
            found.push_back(std::move(file));
        }
    }
    return found;
}

std::optional<fs::path> find(const std::string& name, const std::vector<fs::path>& directories) {
    if (!valid_plugin_name(name)) return std::nullopt;  // "../x" never becomes a path
    for (const auto& directory : directories) {
        const fs::path candidate = directory / fmt::format("{}{}{}", kPrefix, name, kSuffix);
        std::error_code error;
        if (fs::is_regular_file(candidate, error)) return candidate;
    }
    return std::nullopt;
}

std::optional<std::string> check_descriptor(const concierge_plugin_descriptor& d, const std::string& expected_name) {
    if (d.abi_major != CONCIERGE_SDK_ABI_MAJOR)
        return fmt::format("built for SDK ABI {}, this concierge speaks ABI {}: rebuild the plugin against SDK {}.x",
                           abi_text(d.abi_major, d.abi_minor), abi_text(CONCIERGE_SDK_ABI_MAJOR, CONCIERGE_SDK_ABI_MINOR),
                           CONCIERGE_SDK_ABI_MAJOR);
    if (d.abi_minor > CONCIERGE_SDK_ABI_MINOR)
        return fmt::format("built for SDK ABI {}, newer than this concierge's {}: upgrade concierge",
                           abi_text(d.abi_major, d.abi_minor), abi_text(CONCIERGE_SDK_ABI_MAJOR, CONCIERGE_SDK_ABI_MINOR));
    if (!d.toolchain || std::strcmp(d.toolchain, CONCIERGE_SDK_TOOLCHAIN) != 0)
        return fmt::format("built with toolchain '{}', this concierge needs '{}': rebuild the plugin with a matching standard library",
                           d.toolchain ? d.toolchain : "(none)", CONCIERGE_SDK_TOOLCHAIN);
    if (!d.name || !d.version || !d.summary || !d.create) return "descriptor is incomplete (null name, version, summary or create)";
    if (expected_name != d.name)
        return fmt::format("file promises plugin '{}' but the library says it is '{}': rename the file concierge-{}.so",
                           expected_name, d.name, d.name);
    return std::nullopt;
}

std::optional<std::string> untrusted_because(const fs::path& path, mode_t mode, uid_t owner, uid_t user) {
    // Whoever can write the library or swap it in its directory runs code as the user of concierge.
    if (mode & (S_IWGRP | S_IWOTH)) {
        const char* who = (mode & S_IWGRP) && (mode & S_IWOTH) ? "its group and others" : (mode & S_IWGRP) ? "its group" : "others";
        return fmt::format("{} is writable by {}; chmod go-w {}", path.string(), who, path.string());
    }
    if (owner != 0 && owner != user)
        return fmt::format("{} is owned by uid {}, neither root nor you; only root's or your own plugins are loaded", path.string(), owner);
    return std::nullopt;
}

std::optional<std::string> trust_problem(const fs::path& plugin_file) {
    std::error_code error;
    const fs::path real = fs::canonical(plugin_file, error);
    if (error) return fmt::format("cannot load: {}: {}", plugin_file.string(), error.message());
    std::vector<fs::path> checked{plugin_file.parent_path()};
    if (real.parent_path() != checked.front()) checked.push_back(real.parent_path());  // a link's target lives elsewhere
    checked.push_back(real);
    for (const auto& path : checked) {
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0) return fmt::format("cannot load: cannot examine {}: {}", path.string(), std::strerror(errno));
        if (auto reason = untrusted_because(path, info.st_mode, info.st_uid, ::getuid())) return reason;
    }
    return std::nullopt;
}

LoadResult load(const fs::path& path, const std::string& expected_name) {
    if (auto reason = trust_problem(path)) return Refusal{*reason};
    auto& library = loaded_libraries().emplace_back();
    boost::dll::fs::error_code error;
    // RTLD_LOCAL: two plugins may bundle different versions of the same helper library.
    library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, error);
    if (error) {
        const char* detail = dlerror();
        return Refusal{fmt::format("cannot load: {}", detail ? detail : error.message())};
    }
    if (!library.has(CONCIERGE_PLUGIN_ENTRY_SYMBOL))
        return Refusal{fmt::format("not a concierge plugin: no '{}' entry point (use CONCIERGE_PLUGIN)", CONCIERGE_PLUGIN_ENTRY_SYMBOL)};

    auto& entry = library.get_alias<concierge_plugin_entry_fn>(CONCIERGE_PLUGIN_ENTRY_SYMBOL);
    const concierge_plugin_descriptor* descriptor = entry();
    if (!descriptor) return Refusal{"entry point returned no descriptor"};
    if (auto reason = check_descriptor(*descriptor, expected_name)) return Refusal{*reason};

    LoadedPlugin plugin{{descriptor->name, descriptor->version, descriptor->summary, descriptor->abi_major, descriptor->abi_minor, path, {}, {}},
                        std::shared_ptr<sdk::PluginInstance>(descriptor->create())};
    if (!plugin.instance) return Refusal{"plugin failed to initialise"};
    if (auto status = plugin.instance->describe(plugin.options, plugin.description); !status.ok())
        return Refusal{fmt::format("plugin failed to describe its options: {}", status.message)};
    return plugin;
}

}  // namespace concierge::plugin_loader
