#include "cli/commands.hpp"

#include "cli/option_resolver.hpp"

#include <fmt/format.h>

#include <sstream>

namespace concierge::cli {

namespace {

std::string positional_usage(const std::vector<sdk::OptionSpec>& options) {
    std::string usage;
    for (const auto& spec : options) {
        if (!spec.positional) continue;
        std::string name = spec.name;
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return c == '-' ? '_' : std::toupper(c); });
        usage += spec.required ? " " + name : " [" + name + "]";
    }
    return usage;
}

}  // namespace

void print_general_help(std::FILE* out, const PluginPlaces& places) {
    GlobalOptions ignored;
    std::ostringstream globals;
    globals << global_options_description(ignored);
    fmt::print(out,
               "Usage: concierge [global options] COMMAND [args]\n\n"
               "Runs operations plugins and remembers every run.\n\n"
               "Commands:\n"
               "  PLUGIN [args]                 run a plugin (see below)\n");
    for (const auto& command : builtin_commands())
        if (!command.help.empty()) fmt::print(out, "  {:<28}  {}\n", command.usage, command.help);
    fmt::print(out, "\nPlugins:\n");
    const auto files = runnable_files(places.search_path);
    const auto described = plugin_loader::describe(files, places.catalog);
    for (std::size_t i = 0; i < files.size(); ++i) {
        const auto* plugin = std::get_if<plugin_loader::PluginDescription>(&described[i]);
        fmt::print(out, "  {:<28}  {}\n", files[i].name, plugin ? plugin->summary : "(refused: see 'concierge plugins')");
    }
    if (files.empty()) fmt::print(out, "  (none found: see 'concierge plugins')\n");
    fmt::print(out, "\n{}\nExit codes and configuration are described in the README.\n", globals.str());
}

void print_plugin_help(std::FILE* out, const plugin_loader::PluginDescription& plugin) {
    GlobalOptions ignored;
    std::ostringstream options;
    options << plugin_options_description(plugin.options, plugin.name) << "\n" << global_options_description(ignored);
    fmt::print(out, "Usage: concierge {} [options]{}\n\n{}\n", plugin.name, positional_usage(plugin.options), plugin.summary);
    if (!plugin.description.empty()) fmt::print(out, "\n{}\n", plugin.description);
    fmt::print(out, "\n{}", options.str());
    if (auto settings = settings_only_help(plugin.options, plugin.name); !settings.empty())
        fmt::print(out, "\nSettings (environment or config file only, never on the command line):\n{}", settings);
}

}  // namespace concierge::cli
