#include "cli/scheduler_compat.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace concierge::cli {

namespace {

struct Action {
    std::string_view name;
    std::string_view alias;  ///< the later name the earlier tool also answered to
    std::string_view plugin;
    std::size_t arguments;
    std::string_view usage;
};

constexpr std::array actions{
    Action{"service_ps", "list", "compose-ps", 1, "service_ps COMPONENT"},
    Action{"backup_app", "backup_config", "zabbix-backup", 0, "backup_app"},
    Action{"import_app", "restore_config", "zabbix-import", 0, "import_app"},
    Action{"scale_up", "", "", 3, "scale_up COMPONENT CURRENT INCREMENT"},
    Action{"scale_down", "", "", 3, "scale_down COMPONENT CURRENT DECREMENT"},
};

// Env beats the config file, as everywhere in concierge.
std::string setting(const EnvLookup& env, const config::ConfigFile& config, const std::string& variable,
                    const std::string& key, const std::string& fallback) {
    if (auto value = env(variable)) return *value;
    return config.get("scheduler." + key).value_or(fallback);
}

bool certs_from_zabbix(const EnvLookup& env, const config::ConfigFile& config) {
    const std::string mode = setting(env, config, "CONCIERGE_SCHEDULER_CERTS_FROM_ZABBIX", "certs-from-zabbix", "auto");
    if (mode == "true" || mode == "1" || mode == "yes") return true;
    if (mode == "false" || mode == "0" || mode == "no") return false;
    if (mode != "auto")
        throw UsageError(fmt::format("certs-from-zabbix must be auto, true or false, not '{}'", mode));
    return env("DOCKER_HOST").value_or("").starts_with("tcp://") && env("ZBX_API_HOST").has_value();
}

std::string scale_plugin(const EnvLookup& env, const config::ConfigFile& config) {
    const std::string orchestrator = setting(env, config, "CONCIERGE_SCHEDULER_ORCHESTRATOR", "orchestrator", "compose");
    if (orchestrator != "compose" && orchestrator != "swarm")
        throw UsageError(fmt::format("orchestrator must be compose or swarm, not '{}'", orchestrator));
    return orchestrator + "-scale";
}

}  // namespace

std::vector<std::string> translate_scheduler_command(const std::vector<std::string>& args, const EnvLookup& env,
                                                     const config::ConfigFile& config) {
    if (args.empty()) throw UsageError("an action is required");
    const auto action = std::find_if(actions.begin(), actions.end(), [&](const Action& candidate) {
        return args.front() == candidate.name || (!candidate.alias.empty() && args.front() == candidate.alias);
    });
    if (action == actions.end()) throw UsageError(fmt::format("unknown action '{}'", args.front()));
    if (args.size() - 1 != action->arguments)
        throw UsageError(fmt::format("'{}' takes {} argument{}: {}", args.front(), action->arguments,
                                     action->arguments == 1 ? "" : "s", action->usage));

    std::vector<std::string> translated;
    const bool scaling = action->plugin.empty();
    translated.emplace_back(scaling ? scale_plugin(env, config) : std::string(action->plugin));
    const bool talks_to_docker = scaling || action->name == "service_ps";
    if (talks_to_docker && certs_from_zabbix(env, config)) translated.emplace_back("--certs-from-zabbix");
    if (scaling) translated.emplace_back(action->name == "scale_up" ? "up" : "down");
    // An alert's arguments come from Zabbix macros: after "--" none of them can become an option.
    if (args.size() > 1) translated.emplace_back("--");
    translated.insert(translated.end(), args.begin() + 1, args.end());
    return translated;
}

std::string scheduler_usage() {
    std::string text = fmt::format("Usage: {} ACTION [ARGS...]\n\nThe earlier scheduler's actions, run by concierge's plugins:\n",
                                   scheduler_program_name);
    for (const auto& action : actions)
        text += fmt::format("  {:<40} {}\n", action.usage,
                            action.plugin.empty() ? "compose-scale (or swarm-scale)" : std::string(action.plugin));
    text += "\nSettings come from the same environment as before (ZBX_API_HOST, ZBX_USER, ZBX_PASS, ZBX_CONFIG_DIR,\n"
            "DOCKER_HOST, DOCKER_CERT_PATH, COMPOSE_HTTP_TIMEOUT). CONCIERGE_SCHEDULER_ORCHESTRATOR=swarm scales\n"
            "swarm services; CONCIERGE_SCHEDULER_CERTS_FROM_ZABBIX=auto|true|false reads Docker TLS material\n"
            "from the component's Zabbix inventory host (auto: when DOCKER_HOST is tcp:// and ZBX_API_HOST is set).\n"
            "Runs are recorded in concierge's history: 'concierge history'.\n";
    return text;
}

}  // namespace concierge::cli
