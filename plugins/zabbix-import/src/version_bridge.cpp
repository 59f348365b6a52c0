#include "version_bridge.hpp"

#include "backup_dir.hpp"

#include <concierge/sdk/status.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <cstdio>

namespace concierge::zabbix_import {

namespace json = concierge::zabbix::json;

namespace {

/// The names of the groups each unit of `key` ("templates", "hosts") in an export names.
std::set<std::string> groups_named(std::string_view export_json, std::string_view key) {
    std::set<std::string> names;
    if (export_json.empty()) return names;
    const auto inner = json::member(export_json, "zabbix_export");
    const auto units = inner ? json::member(*inner, key) : std::nullopt;
    if (!units || json::kind_of(*units) != json::Kind::Array) return names;
    for (const auto unit : json::elements(*units)) {
        const auto groups = json::kind_of(unit) == json::Kind::Object ? json::member(unit, "groups") : std::nullopt;
        if (!groups || json::kind_of(*groups) != json::Kind::Array) continue;
        for (const auto group : json::elements(*groups))
            if (const auto name = json::member(group, "name"); name && json::kind_of(*name) == json::Kind::String)
                names.insert(json::unescape(*name));
    }
    return names;
}

void append(std::string& list, std::string_view element) {
    if (!list.empty()) list += ',';
    list += element;
}

}  // namespace

zabbix::Version version_of(const std::string& text) {
    zabbix::Version version;
    version.text = text;
    if (std::sscanf(text.c_str(), "%d.%d", &version.major, &version.minor) != 2) version.major = version.minor = 0;
    return version;
}

bool crosses_versions(const std::string& backup_version, const zabbix::Version& destination) {
    const auto backup = version_of(backup_version);
    return backup.major != destination.major || backup.minor != destination.minor;
}

void refuse_newer_backup(const std::string& backup_version, const zabbix::Version& destination) {
    const auto backup = version_of(backup_version);
    if (backup.at_least(destination.major, destination.minor) && crosses_versions(backup_version, destination))
        throw sdk::Error(sdk::ExitCode::InvalidInput, "the backup comes from Zabbix " + backup_version +
                                                          ", newer than the destination's Zabbix " + destination.text +
                                                          ", which cannot read its exports; restore it into Zabbix " +
                                                          std::to_string(backup.major) + "." + std::to_string(backup.minor) +
                                                          " or later");
}

SplitGroups split_groups(std::string_view groups_export, std::string_view templates_export, std::string_view hosts_export) {
    SplitGroups out;
    const auto of_templates = groups_named(templates_export, "templates");
    const auto of_hosts = groups_named(hosts_export, "hosts");
    std::string host_list, template_list;
    const auto inner = json::member(groups_export, "zabbix_export");
    const auto groups = inner ? json::member(*inner, "groups") : std::nullopt;
    if (groups && json::kind_of(*groups) == json::Kind::Array)
        for (const auto group : json::elements(*groups)) {
            const auto name_token = json::member(group, "name");
            if (!name_token || json::kind_of(*name_token) != json::Kind::String) continue;
            const auto name = json::unescape(*name_token);
            const bool templates = of_templates.count(name) > 0;
            if (templates) {
                out.template_groups.insert(name);
                append(template_list, json::condense(group));
            }
            if (of_hosts.count(name) || !templates) {
                out.host_groups.insert(name);
                append(host_list, json::condense(group));
            }
        }
    out.document = R"({"zabbix_export":{"version":"6.2","host_groups":[)" + host_list + R"(],"template_groups":[)" +
                   template_list + "]}}";
    return out;
}

std::string derived_uuid(const std::string& seed, const std::string& uuid) {
    auto hex = zabbix_format::sha256_hex(seed + "\n" + uuid).substr(0, 32);
    // Zabbix checks the version nibble (4) and the variant (8, 9, a or b).
    hex[12] = '4';
    hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) % 4];
    return hex;
}

}  // namespace concierge::zabbix_import
