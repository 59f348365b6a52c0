#include "report.hpp"

#include <concierge/sdk/exit_code.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <map>
#include <set>
#include <utility>

namespace concierge::report {
namespace {

using zabbix::json::quote;

// The key an item prototype gets when the server puts a discovered name in its parameter: quoted
// only when the name would otherwise break the key, as the server's quote_key_param decides,
// since the trapper matches keys as text.
std::string keyed(const char* key, const std::string& parameter) {
    const bool plain = parameter.empty() || (parameter.front() != '"' && parameter.front() != ' ' && parameter.front() != '[' &&
                                             parameter.find_first_of(",]") == std::string::npos);
    std::string text(key);
    text += '[';
    if (!plain) text += '"';
    for (const char c : parameter) {
        if (c == '"') text += '\\';
        text += c;
    }
    if (!plain) text += '"';
    return text += ']';
}

std::string seconds(std::int64_t millis) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", static_cast<double>(millis) / 1000.0);
    return text;
}

std::string discovery(const char* macro, const std::set<std::string>& names) {
    std::string document = "[";
    for (const auto& name : names) {
        if (document.size() > 1) document += ',';
        document.append("{").append(quote(macro)).append(":").append(quote(name)).append("}");
    }
    return document += ']';
}

bool finished(const sdk::RunRecord& run) { return run.ended_at.has_value() && run.exit_code.has_value(); }

struct Scale {
    std::int64_t to = 0;
    std::optional<std::int64_t> max;
};

std::optional<Scale> parse_scale(const std::string& json) {
    try {
        const auto object = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
        if (!object || !object->has("to")) return std::nullopt;
        Scale scale{object->getValue<std::int64_t>("to"), std::nullopt};
        if (object->has("max")) scale.max = object->getValue<std::int64_t>("max");
        return scale;
    } catch (const Poco::Exception&) {
        return std::nullopt;  // not a scale record: another plugin's artifact of that name
    }
}

}  // namespace

bool is_scale_subject(const std::string& artifact_name) {
    return artifact_name.starts_with("compose/") || artifact_name.starts_with("swarm/");
}

std::vector<zabbix::TrapperValue> values_for(const std::string& host, const History& history) {
    std::map<std::string, const sdk::RunRecord*> last_run;  // per plugin, the newest finished
    std::map<std::string, Scale> scales;                    // per service, the newest
    std::int64_t refused = 0;
    for (const auto& run : history.runs) {
        if (!finished(run)) continue;
        last_run.emplace(run.plugin, &run);
        const bool scales_services = run.plugin.ends_with("-scale") || run.plugin.ends_with("-autoscale");
        if (scales_services && *run.exit_code == static_cast<int>(sdk::ExitCode::Conflict) &&
            (!history.last_report || *run.ended_at > *history.last_report))
            ++refused;
        for (const auto& name : run.artifacts) {
            if (!is_scale_subject(name) || scales.count(name) || !history.artifact) continue;
            if (const auto content = history.artifact(run.id, name))
                if (const auto scale = parse_scale(*content)) scales.emplace(name, *scale);
        }
    }

    std::vector<zabbix::TrapperValue> values;
    const auto add = [&](std::string key, std::string value) { values.push_back({host, std::move(key), std::move(value)}); };
    std::set<std::string> plugins, services;
    for (const auto& [plugin, run] : last_run) plugins.insert(plugin);
    for (const auto& [service, scale] : scales) services.insert(service);
    add(key::plugins_discovery, discovery("{#PLUGIN}", plugins));
    add(key::services_discovery, discovery("{#SERVICE}", services));
    for (const auto& [plugin, run] : last_run) {
        add(keyed(key::run_exit, plugin), std::to_string(*run->exit_code));
        add(keyed(key::run_duration, plugin), seconds(*run->ended_at - run->started_at));
        add(keyed(key::run_status, plugin), run->status);
    }
    bool exit_told = false;
    for (const auto& backup : history.backups) {
        if (!finished(backup)) continue;
        if (!std::exchange(exit_told, true)) add(key::backup_exit, std::to_string(*backup.exit_code));
        if (backup.status == "succeeded") {
            add(key::backup_age, std::to_string((history.now - *backup.ended_at) / 1000));
            break;
        }
    }
    for (const auto& [service, scale] : scales) {
        add(keyed(key::replicas, service), std::to_string(scale.to));
        if (scale.max) add(keyed(key::replicas_max, service), std::to_string(*scale.max));
    }
    add(key::scale_refused, std::to_string(refused));
    return values;
}

}  // namespace concierge::report
