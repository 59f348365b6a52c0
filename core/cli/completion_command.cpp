#include "cli/commands.hpp"

#include "history/history_store.hpp"

#include <embedded/text.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace po = boost::program_options;

namespace concierge::cli {

namespace {

std::vector<std::string> long_names(const po::options_description& description) {
    std::vector<std::string> names;
    for (const auto& option : description.options()) names.push_back("--" + option->long_name());
    return names;
}

// Whether `word` names an option of `description` that takes a value (so the next word is that value).
bool takes_value(const po::options_description& description, const std::string& word) {
    if (!word.starts_with("-") || word.find('=') != std::string::npos) return false;
    const bool is_long = word.starts_with("--");
    const auto* option = description.find_nothrow(word.substr(is_long ? 2 : 1), false, false, !is_long);
    return option && option->semantic()->max_tokens() > 0;
}

std::vector<std::string> plugin_names(const PluginPlaces& places) {
    std::vector<std::string> names;
    for (const auto& plugin : runnable_plugins(places)) names.push_back(plugin.name);
    return names;
}

std::vector<std::string> run_statuses() {
    std::vector<std::string> statuses;
    for (auto status = history::RunStatus::Running; status <= history::RunStatus::Abandoned;
         status = static_cast<history::RunStatus>(static_cast<int>(status) + 1))
        statuses.push_back(history::to_string(status));
    return statuses;
}

// Candidates for the word after `before` (the words after `concierge`), before filtering.
std::vector<std::string> candidates(const std::vector<std::string>& before, bool option, const PluginPlaces& places) {
    GlobalOptions ignored;
    const auto globals = global_options_description(ignored);
    const std::string previous = before.empty() ? "" : before.back();
    if (previous == "--output" || previous == "-o") return {"table", "json"};
    if (takes_value(globals, previous)) return {};

    std::size_t at = 0;  // the command follows the leading global options
    while (at < before.size() && before[at].starts_with("-")) at += takes_value(globals, before[at]) ? 2 : 1;
    const std::vector<std::string> global_names = long_names(globals);
    if (at >= before.size()) {
        if (option) return global_names;
        std::vector<std::string> words;
        for (const auto& command : builtin_commands())
            if (!command.help.empty() && !command.usage.starts_with("-")) words.emplace_back(command.name);
        const auto plugins = plugin_names(places);
        words.insert(words.end(), plugins.begin(), plugins.end());
        return words;
    }
    const std::string& command = before[at];
    const bool first_argument = at + 1 == before.size();
    const auto with_globals = [&](std::vector<std::string> words) {
        words.insert(words.end(), global_names.begin(), global_names.end());
        return words;
    };
    if (command == "help") return first_argument && !option ? plugin_names(places) : std::vector<std::string>{};
    if (command == "completion") return first_argument && !option ? std::vector<std::string>{"bash"} : std::vector<std::string>{};
    if (command == "plugins" || command == "man" || command == "version") return option ? global_names : std::vector<std::string>{};
    if (command == "plugin") {
        if (first_argument && !option) return {"new"};
        const auto own = plugin_new_options();
        return option ? with_globals(long_names(own)) : std::vector<std::string>{};
    }
    if (command == "history") {
        const auto own = history_list_options();
        if (previous == "--plugin") return plugin_names(places);
        if (previous == "--status") return run_statuses();
        if (takes_value(own, previous)) return {};
        if (option) return with_globals(long_names(own));
        return first_argument ? std::vector<std::string>{"show", "export"} : std::vector<std::string>{};
    }
    const auto path = plugin_loader::find(command, places.search_path);
    if (!path) return {};
    const auto described = plugin_loader::describe(plugin_loader::PluginFile{command, *path}, places.catalog);
    const auto* plugin = std::get_if<plugin_loader::PluginDescription>(&described);
    if (!plugin) return {};
    const auto own = plugin_options_description(plugin->options, plugin->name);
    if (takes_value(own, previous) || !option) return {};
    return with_globals(long_names(own));
}

}  // namespace

int completion_command(const std::vector<std::string>& args, std::FILE* out) {
    if (args.size() == 1 && (args.front() == "--help" || args.front() == "-h")) {
        fmt::print(out, "Usage: concierge completion bash\n\nPrints the bash completion script; load it with\n"
                        "  source <(concierge completion bash)\n");
        return 0;
    }
    if (args.size() != 1 || args.front() != "bash")
        throw UsageError("usage: concierge completion bash (bash is the only shell supported)");
    fmt::print(out, "{}", embedded::completion_bash);
    return 0;
}

int complete_command(const std::vector<std::string>& words, const PluginPlaces& places, std::FILE* out) {
    if (words.empty()) return 0;
    const std::string& current = words.back();
    const std::vector<std::string> before(words.begin(), words.end() - 1);
    auto found = candidates(before, current.starts_with("-"), places);
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    for (const auto& word : found)
        if (word.starts_with(current)) fmt::print(out, "{}\n", word);
    return 0;
}

}  // namespace concierge::cli
