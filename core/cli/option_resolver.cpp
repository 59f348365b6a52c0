#include "cli/option_resolver.hpp"

#include "config/config_file.hpp"

#include <boost/program_options/parsers.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace po = boost::program_options;

namespace concierge::cli {

namespace {

// Help lines fit a 100-column terminal, descriptions starting halfway at most.
constexpr unsigned kHelpWidth = 100;
constexpr auto kStyle = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

std::string option_key(const std::string& name, char short_name) {
    return short_name ? name + "," + short_name : name;
}

}  // namespace

std::string option_value_name(const sdk::OptionSpec& spec) {
    switch (spec.type) {
        case sdk::OptionType::Integer: return "N";
        case sdk::OptionType::Duration: return "DURATION";
        default: {
            std::string upper = spec.name;
            std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return c == '-' ? '_' : std::toupper(c); });
            return upper;
        }
    }
}

namespace {

std::vector<std::string> env_names(const sdk::OptionSpec& spec) {
    std::vector<std::string> names;
    std::string_view rest(spec.env);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        if (auto name = rest.substr(0, comma); !name.empty()) names.emplace_back(name);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return names;
}

// The first variable of `names` that is set, with its value.
std::optional<std::pair<std::string, std::string>> first_set(const std::vector<std::string>& names, const EnvLookup& env) {
    for (const auto& name : names)
        if (auto value = env(name)) return std::pair{name, *value};
    return std::nullopt;
}

}  // namespace

std::string option_help(const sdk::OptionSpec& spec, const std::string& plugin) {
    std::string text = spec.help;
    if (!spec.default_value.empty() && !spec.secret) text += fmt::format(" (default: {})", spec.default_value);
    if (spec.required) text += " (required)";
    if (spec.positional) return text;  // only ever from the command line
    if (!spec.env.empty()) text += fmt::format(" [env: {}]", fmt::join(env_names(spec), ", "));
    text += fmt::format(" [config: {}]", spec.config_key.empty() ? plugin + "." + spec.name : spec.config_key);
    return text;
}

std::optional<bool> parse_bool(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
    if (text == "0" || text == "false" || text == "no" || text == "off" || text.empty()) return false;
    return std::nullopt;
}

namespace {

// The canonical text of a value, or a UsageError naming the option and where the value came from.
std::string validate(const sdk::OptionSpec& spec, const std::string& value, const std::string& source) {
    const auto fail = [&](const char* what) {
        return UsageError(fmt::format("--{}: '{}' is not {} (from {})", spec.name, spec.secret ? "***" : value, what, source));
    };
    switch (spec.type) {
        case sdk::OptionType::Integer: {
            std::int64_t number = 0;
            const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
            if (error != std::errc() || end != value.data() + value.size()) throw fail("an integer");
            return std::to_string(number);
        }
        case sdk::OptionType::Duration: {
            const auto millis = parse_duration_millis(value);
            if (!millis) throw fail("a duration such as 90s, 5m, 250ms or 1h");
            return std::to_string(*millis);
        }
        case sdk::OptionType::Flag: {
            const auto flag = parse_bool(value);
            if (!flag) throw fail("true or false");
            return *flag ? "true" : "false";
        }
        case sdk::OptionType::String: return value;
    }
    return value;
}

}  // namespace

po::options_description global_options_description(GlobalOptions& into) {
    po::options_description description("Global options", kHelpWidth, kHelpWidth / 2);
    description.add_options()
        ("output,o", po::value<std::string>()->value_name("FORMAT")->notifier([&into](const std::string& v) { into.output = v; }),
         "table (default) or json [env: CONCIERGE_OUTPUT] [config: output]")
        ("history", po::value<std::string>()->value_name("PATH")->notifier([&into](const std::string& v) { into.history = v; }),
         "run history database [env: CONCIERGE_HOME/history.db]")
        ("history-required", po::value<std::string>()->value_name("BOOL")->notifier([&into](const std::string& v) { into.history_required = v; }),
         "false lets a run go ahead, with a warning, when history cannot be written [env: CONCIERGE_HISTORY_REQUIRED] "
         "[config: history.required]")
        ("config", po::value<std::string>()->value_name("PATH")->notifier([&into](const std::string& v) { into.config = v; }),
         "config file [env: CONCIERGE_CONFIG]")
        ("verbose,v", po::bool_switch()->notifier([&into](bool v) { into.verbose = into.verbose || v; }), "log debug messages")
        ("quiet,q", po::bool_switch()->notifier([&into](bool v) { into.quiet = into.quiet || v; }), "log errors only")
        ("help,h", po::bool_switch()->notifier([&into](bool v) { into.help = into.help || v; }), "show help and exit");
    return description;
}

LeadingGlobals parse_leading_globals(const std::vector<std::string>& args) {
    static const std::vector<std::string> with_value{"--output", "-o", "--history", "--history-required", "--config"};
    std::size_t index = 0;
    while (index < args.size() && args[index].starts_with("-") && args[index] != "--version") {
        const bool separate_value = std::find(with_value.begin(), with_value.end(), args[index]) != with_value.end();
        index += separate_value ? 2 : 1;
    }
    index = std::min(index, args.size());
    LeadingGlobals result;
    result.command_index = index;
    const std::vector<std::string> leading(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(index));
    try {
        po::variables_map map;
        po::store(po::command_line_parser(leading).options(global_options_description(result.options)).style(kStyle).run(), map);
        po::notify(map);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    return result;
}

po::options_description plugin_options_description(const std::vector<sdk::OptionSpec>& specs, const std::string& plugin) {
    po::options_description description("Options", kHelpWidth, kHelpWidth / 2);
    for (const auto& spec : specs) {
        if (!spec.from_command_line) continue;
        const std::string key = option_key(spec.name, spec.short_name);
        const std::string help = option_help(spec, plugin);
        if (spec.type == sdk::OptionType::Flag) description.add_options()(key.c_str(), po::bool_switch(), help.c_str());
        else description.add_options()(key.c_str(), po::value<std::string>()->value_name(option_value_name(spec)), help.c_str());
    }
    return description;
}

std::string settings_only_help(const std::vector<sdk::OptionSpec>& specs, const std::string& plugin) {
    std::string text;
    for (const auto& spec : specs)
        if (!spec.from_command_line) text += fmt::format("  {:<26} {}\n", spec.name, option_help(spec, plugin));
    return text;
}

CommandLine parse_command_line(const std::vector<sdk::OptionSpec>& specs, const std::vector<std::string>& args,
                               GlobalOptions globals) {
    CommandLine line{{}, std::move(globals)};
    po::options_description all;
    all.add(plugin_options_description(specs, "")).add(global_options_description(line.globals));
    po::positional_options_description positional;
    for (const auto& spec : specs)
        if (spec.positional && spec.from_command_line) positional.add(spec.name.c_str(), 1);
    try {
        po::variables_map map;
        po::store(po::command_line_parser(args).options(all).positional(positional).style(kStyle).run(), map);
        po::notify(map);
        for (const auto& spec : specs) {
            const auto found = map.find(spec.name);
            if (found == map.end() || found->second.defaulted()) continue;
            if (spec.type == sdk::OptionType::Flag) {
                if (found->second.as<bool>()) line.given[spec.name] = "true";
            } else {
                line.given[spec.name] = found->second.as<std::string>();
            }
        }
    } catch (const po::too_many_positional_options_error&) {
        throw UsageError("too many arguments");
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    return line;
}

std::map<std::string, std::string> resolve_options(const std::vector<sdk::OptionSpec>& specs, const CommandLine& line,
                                                   const EnvLookup& env, const config::ConfigFile& config,
                                                   const std::string& plugin) {
    std::map<std::string, std::string> values;
    for (const auto& spec : specs) {
        const std::string config_key = spec.config_key.empty() ? plugin + "." + spec.name : spec.config_key;
        if (auto given = line.given.find(spec.name); given != line.given.end()) {
            values[spec.name] = validate(spec, given->second, "the command line");
        } else if (spec.positional) {
            // A bare argument is part of what the user typed for this run: a config file or a
            // variable left in the environment must never supply one (`current = 3` would
            // otherwise become compose-scale's CURRENT).
        } else if (auto from_env = first_set(env_names(spec), env)) {
            values[spec.name] = validate(spec, from_env->second, "environment variable " + from_env->first);
        } else if (auto from_config = config.get(config_key)) {
            values[spec.name] = validate(spec, *from_config, "config key " + config_key);
        }
        if (values.count(spec.name)) continue;
        if (!spec.default_value.empty()) {
            values[spec.name] = validate(spec, spec.default_value, "the default");
        } else if (spec.type == sdk::OptionType::Flag) {
            values[spec.name] = "false";
        } else if (spec.required) {
            const std::string how = spec.positional ? "the argument " + option_value_name(spec) : "--" + spec.name;
            throw UsageError(fmt::format("missing {}{}", how, spec.env.empty() ? "" : fmt::format(" (or set {})", fmt::join(env_names(spec), " or "))));
        }
    }
    return values;
}

std::optional<std::int64_t> parse_duration_millis(const std::string& text) {
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || number < 0 || end == text.data()) return std::nullopt;
    const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    std::int64_t factor = 0;
    if (unit == "ms") factor = 1;
    else if (unit.empty() || unit == "s") factor = 1000;
    else if (unit == "m") factor = 60'000;
    else if (unit == "h") factor = 3'600'000;
    if (factor == 0 || number > std::numeric_limits<std::int64_t>::max() / factor) return std::nullopt;
    return number * factor;
}

}  // namespace concierge::cli
