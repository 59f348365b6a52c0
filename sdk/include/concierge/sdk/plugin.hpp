// Writing a plugin: derive from Action, then name it once with CONCIERGE_PLUGIN.
//
//     class Hello final : public concierge::sdk::Action {
//         std::vector<concierge::sdk::OptionSpec> options() const override {
//             return {{.name = "who", .help = "whom to greet", .default_value = "world"}};
//         }
//         void run(concierge::sdk::Context& ctx) override { ctx.emit_text("hello " + ctx.get("who")); }
//     };
//     CONCIERGE_PLUGIN(Hello, "hello", "1.0.0", "Greets someone")
//
// The macro exports the entry point the core looks for and wraps the Action in an adapter that
// catches every exception inside the plugin, so only a Status crosses back into the core.
#pragma once

#include <concierge/sdk/abi.hpp>
#include <concierge/sdk/context.hpp>
#include <concierge/sdk/options.hpp>
#include <concierge/sdk/status.hpp>

#ifndef BOOST_DLL_USE_STD_FS
#define BOOST_DLL_USE_STD_FS 1  // std::filesystem: plugins need no Boost.Filesystem
#endif
#include <boost/dll/alias.hpp>

#include <exception>
#include <memory>
#include <string>
#include <vector>

namespace concierge::sdk {

/// What a plugin author implements. May throw: sdk::Error picks the exit code, anything else
/// fails the run with ExitCode::Failure and a line calling it unexpected, then its what().
class Action {
public:
    virtual ~Action() = default;
    /// The options this action accepts, in the order --help lists them.
    virtual std::vector<OptionSpec> options() const = 0;
    /// A paragraph for `concierge help <plugin>` after the summary; empty for none.
    virtual std::string description() const { return {}; }
    /// Does the work. Return normally for success.
    virtual void run(Context& ctx) = 0;
};

/// The object the core holds. Its functions never throw; the core deletes it before exit.
class PluginInstance {
public:
    virtual ~PluginInstance() = default;
    virtual Status describe(std::vector<OptionSpec>& options, std::string& description) noexcept = 0;
    virtual Status run(Context& ctx) noexcept = 0;
};

namespace detail {

/// The Status of the exception being handled. An Error is the plugin's own one-line message; any
/// other exception is a library's, whose text alone ("JSON Exception", "stoi") would tell the user
/// nothing: the line says what was being done and that it is unexpected, the text follows.
inline Status status_from_current_exception(const char* doing) noexcept {
    try {
        try {
            throw;
        } catch (const Error& e) {
            return {e.code(), e.what()};
        } catch (const std::exception& e) {
            return {ExitCode::Failure, std::string(doing) + " stopped on an unexpected error (please report it): " + e.what()};
        } catch (...) {
            return {ExitCode::Failure, std::string(doing) + " stopped on an exception of unknown type (please report it)"};
        }
    } catch (...) {  // no memory left for the message; this one fits the string without allocating
        return {ExitCode::Failure, "out of memory"};
    }
}

template <class A>
class Adapter final : public PluginInstance {
public:
    Status describe(std::vector<OptionSpec>& options, std::string& description) noexcept override {
        try {
            options = action().options();
            description = action().description();
            return {};
        } catch (...) {
            return status_from_current_exception("describing its options");
        }
    }
    Status run(Context& ctx) noexcept override {
        try {
            action().run(ctx);
            return {};
        } catch (...) {
            return status_from_current_exception("the run");
        }
    }

private:
    // Through the base class, so an Action may keep its overrides private.
    Action& action() noexcept { return action_; }
    A action_;
};

template <class A>
PluginInstance* create() noexcept {
    try {
        return new Adapter<A>();
    } catch (...) {
        return nullptr;
    }
}

}  // namespace detail
}  // namespace concierge::sdk

/// Exports the plugin's entry point. Use once per plugin library, at namespace scope.
#define CONCIERGE_PLUGIN(ActionClass, NAME, VERSION, SUMMARY)                                  \
    namespace {                                                                                \
    const concierge_plugin_descriptor* concierge_plugin_describe() noexcept {                  \
        static const concierge_plugin_descriptor descriptor{                                   \
            CONCIERGE_SDK_ABI_MAJOR, CONCIERGE_SDK_ABI_MINOR, CONCIERGE_SDK_TOOLCHAIN, NAME,   \
            VERSION,                 SUMMARY,                 &::concierge::sdk::detail::create<ActionClass>}; \
        return &descriptor;                                                                    \
    }                                                                                          \
    }                                                                                          \
    BOOST_DLL_ALIAS(concierge_plugin_describe, concierge_plugin_entry)
