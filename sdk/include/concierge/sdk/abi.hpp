// The binary contract between the concierge core and a plugin library.
//
// A plugin exports exactly one symbol, `concierge_plugin_entry` (a Boost.DLL alias, see
// plugin.hpp), naming a `noexcept` function that returns a pointer to a static
// `concierge_plugin_descriptor`. The core reads the descriptor's version fields before it
// touches anything else and refuses the library, with a one-line reason, when:
//   - abi_major differs from the core's (a breaking change),
//   - abi_minor is newer than the core's (the plugin may call what this core lacks),
//   - toolchain differs (the C++ interface behind `create` passes standard-library types).
// Only then does it call `create`. See docs/abi-policy.md for what makes a change minor or major.
#pragma once

#include <cstdint>

/// Bumped on any change that breaks plugins built against an earlier SDK.
#define CONCIERGE_SDK_ABI_MAJOR 1
/// Bumped on additions: new virtual functions appended to `Context`, new descriptor fields at the end.
#define CONCIERGE_SDK_ABI_MINOR 3

/// The name of the exported alias the core looks up.
#define CONCIERGE_PLUGIN_ENTRY_SYMBOL "concierge_plugin_entry"

// Standard-library types cross the C++ interface, so a plugin must use the same library, the same
// dual-ABI choice and the same architecture as the core. The compiler itself does not matter.
#if defined(_LIBCPP_VERSION)
#define CONCIERGE_SDK_STDLIB "libc++"
#elif defined(__GLIBCXX__) && defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define CONCIERGE_SDK_STDLIB "libstdc++-cxx11"
#elif defined(__GLIBCXX__)
#define CONCIERGE_SDK_STDLIB "libstdc++-cow"
#else
#define CONCIERGE_SDK_STDLIB "unknown-stdlib"
#endif
#if defined(_GLIBCXX_DEBUG)
#define CONCIERGE_SDK_STDLIB_MODE "-debug"
#else
#define CONCIERGE_SDK_STDLIB_MODE ""
#endif
#if defined(__x86_64__)
#define CONCIERGE_SDK_ARCH "x86_64"
#elif defined(__aarch64__)
#define CONCIERGE_SDK_ARCH "aarch64"
#else
#define CONCIERGE_SDK_ARCH "other-arch"
#endif
/// Compared byte for byte by the core, e.g. "libstdc++-cxx11/x86_64".
#define CONCIERGE_SDK_TOOLCHAIN CONCIERGE_SDK_STDLIB CONCIERGE_SDK_STDLIB_MODE "/" CONCIERGE_SDK_ARCH

namespace concierge::sdk {
class PluginInstance;
}

extern "C" {

/// Plain data, laid out once per major version. New fields go at the end with a minor bump.
struct concierge_plugin_descriptor {
    std::uint32_t abi_major;  ///< CONCIERGE_SDK_ABI_MAJOR the plugin was built with
    std::uint32_t abi_minor;  ///< CONCIERGE_SDK_ABI_MINOR the plugin was built with
    const char* toolchain;    ///< CONCIERGE_SDK_TOOLCHAIN the plugin was built with
    const char* name;         ///< command name, e.g. "zabbix-backup": [a-z0-9][a-z0-9-]*
    const char* version;      ///< the plugin's own version, e.g. "1.2.0"
    const char* summary;      ///< one line for `concierge plugins` and `concierge help`
    /// Makes the plugin's object; returns null if its constructor failed. Never throws.
    concierge::sdk::PluginInstance* (*create)() noexcept;
};

/// The signature of the function the entry alias names.
using concierge_plugin_entry_fn = const concierge_plugin_descriptor*() noexcept;
}
