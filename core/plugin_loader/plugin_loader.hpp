// Finding plugin libraries and loading them safely.
//
// A plugin for command NAME is a file named concierge-NAME.so. Directories are searched in order:
// each entry of $CONCIERGE_PLUGIN_PATH (colon-separated), then the installed plugin directory
// next to the executable. The first file of a name wins; later ones are reported as shadowed.
// Loading checks the descriptor (abi.hpp) before anything else and never lets a broken library
// crash the core: every refusal is a one-line reason.
#pragma once

#include <concierge/sdk/abi.hpp>
#include <concierge/sdk/options.hpp>
#include <concierge/sdk/plugin.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <variant>
#include <vector>

namespace concierge::plugin_loader {

struct PluginFile {
    std::string name;  ///< from the file name
    std::filesystem::path path;
    bool shadowed = false;  ///< an earlier directory has a plugin of the same name
};

/// The search path: CONCIERGE_PLUGIN_PATH's absolute entries, then the directory beside the
/// executable. Relative entries are left out: they would load whatever the working directory of
/// the moment (a cron job's, an alert's) holds.
std::vector<std::filesystem::path> search_path(const char* plugin_path_env, const std::filesystem::path& executable);

/// The entries of CONCIERGE_PLUGIN_PATH that search_path leaves out, to warn about.
std::vector<std::string> ignored_path_entries(const char* plugin_path_env);

/// Whether a name can be a plugin's: lower-case letters, digits and dashes, not starting with a
/// dash. Checked before any path is built from it.
bool valid_plugin_name(std::string_view name);

/// Every plugin file on the path, in search order, shadowed ones included.
std::vector<PluginFile> discover(const std::vector<std::filesystem::path>& directories);

/// The file that `concierge NAME` would load, without opening any library; none for a name that
/// is not valid_plugin_name.
std::optional<std::filesystem::path> find(const std::string& name, const std::vector<std::filesystem::path>& directories);

/// Why a plugin directory or file with this mode and owner must not be loaded by `user`: writable
/// by group or others, or owned by anyone but root or `user`. Nothing when it may be loaded.
std::optional<std::string> untrusted_because(const std::filesystem::path& path, mode_t mode, uid_t owner, uid_t user);

/// The first reason not to load `plugin_file`: its directory, the directory its links lead to, or
/// the file itself fails untrusted_because for the current user, or cannot be examined. Checked by
/// load() before anything is opened.
std::optional<std::string> trust_problem(const std::filesystem::path& plugin_file);

/// What listing, help and completion show of an accepted plugin: its descriptor and options.
struct PluginDescription {
    std::string name;
    std::string version;
    std::string summary;
    std::uint32_t abi_major = 0;
    std::uint32_t abi_minor = 0;
    std::filesystem::path path;
    std::vector<sdk::OptionSpec> options;
    std::string description;
};

/// A plugin whose descriptor was accepted and whose object was created. Every library the loader
/// opened stays loaded until the process exits, so nothing a plugin made can outlive its code.
struct LoadedPlugin : PluginDescription {
    std::shared_ptr<sdk::PluginInstance> instance;
};

struct Refusal {
    std::string reason;   ///< one line, no trailing period
    bool broken = false;  ///< its code crashed, aborted or hung while being described (plugin_catalog.hpp)
};

using LoadResult = std::variant<LoadedPlugin, Refusal>;

/// Checks trust_problem, loads the library, checks its descriptor, creates the plugin and asks for its options.
/// `expected_name` is the name the file promises; a descriptor naming another plugin is refused.
LoadResult load(const std::filesystem::path& path, const std::string& expected_name);

/// What a core of this build accepts: the reason a descriptor is refused, or nothing.
std::optional<std::string> check_descriptor(const concierge_plugin_descriptor& descriptor, const std::string& expected_name);

}  // namespace concierge::plugin_loader
