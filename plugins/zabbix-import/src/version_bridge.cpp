#include "version_bridge.hpp"

#include "backup_dir.hpp"
#include "export_merge.hpp"

#include <concierge/sdk/status.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <Poco/JSON/Array.h>

#include <cctype>
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

/// The groups host prototypes put their hosts in: "group_links":[{"group":{"name":...}}], anywhere.
std::set<std::string> prototype_groups(std::string_view export_json) {
    std::set<std::string> names;
    static constexpr std::string_view key = "\"group_links\":";
    for (auto pos = export_json.find(key); pos != std::string_view::npos; pos = export_json.find(key, pos + key.size())) {
        auto start = pos + key.size();
        while (start < export_json.size() && std::isspace(static_cast<unsigned char>(export_json[start]))) ++start;
        const auto links = export_json.substr(start, json::skip_value(export_json, start) - start);
        if (json::kind_of(links) != json::Kind::Array) continue;
        for (const auto link : json::elements(links))
            if (const auto group = json::member(link, "group"))
                if (const auto name = json::member(*group, "name"); name && json::kind_of(*name) == json::Kind::String)
                    names.insert(json::unescape(*name));
    }
    return names;
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
    // Hosts and the hosts that templates' host prototypes make are in host groups.
    auto of_hosts = groups_named(hosts_export, "hosts");
    of_hosts.merge(prototype_groups(templates_export));
    of_hosts.merge(prototype_groups(hosts_export));
    const auto inner = json::member(groups_export, "zabbix_export");
    const auto groups = inner ? json::member(*inner, "groups") : std::nullopt;
    if (groups && json::kind_of(*groups) == json::Kind::Array)
        for (const auto group : json::elements(*groups)) {
            const auto name_token = json::member(group, "name");
            const auto uuid_token = json::member(group, "uuid");
            if (!name_token || json::kind_of(*name_token) != json::Kind::String) continue;
            const auto name = json::unescape(*name_token);
            out.uuids[name] = uuid_token && json::kind_of(*uuid_token) == json::Kind::String ? json::unescape(*uuid_token) : "";
            const bool templates = of_templates.count(name) > 0;
            if (templates) out.template_groups.insert(name);
            if (of_hosts.count(name) || !templates) out.host_groups.insert(name);
        }
    return out;
}

std::string groups_document(const SplitGroups& groups, const std::map<std::string, std::string>& host_taken,
                            const std::map<std::string, std::string>& template_taken) {
    auto list = [&](const std::set<std::string>& names, const std::map<std::string, std::string>& taken) {
        std::string out;
        for (const auto& name : names) {
            auto uuid = groups.uuids.at(name);
            if (const auto owner = taken.find(uuid); owner != taken.end() && owner->second != name)
                uuid = derived_uuid(name, uuid);
            append(out, R"({"uuid":")" + uuid + R"(","name":)" + zabbix_format::to_json(Poco::Dynamic::Var(name)) + "}");
        }
        return out;
    };
    return R"({"zabbix_export":{"version":"6.2","host_groups":[)" + list(groups.host_groups, host_taken) +
           R"(],"template_groups":[)" + list(groups.template_groups, template_taken) + "]}}";
}

namespace {

/// A 6.0 proxy as 7.0 has it: status 5 (active) and 6 (passive) are operating modes 0 and 1; a
/// passive proxy's interface becomes its address and port.
void upgrade_proxy(Poco::JSON::Object& proxy) {
    if (!proxy.has("host")) return;
    proxy.set("name", proxy.getValue<std::string>("host"));
    const bool passive = proxy.optValue<std::string>("status", "5") == "6";
    proxy.set("operating_mode", passive ? "1" : "0");
    if (proxy.has("proxy_address")) proxy.set("allowed_addresses", proxy.getValue<std::string>("proxy_address"));
    if (const auto interface = proxy.getObject("interface"); passive && interface) {
        const bool by_ip = interface->optValue<std::string>("useip", "1") == "1";
        proxy.set("address", interface->optValue<std::string>(by_ip ? "ip" : "dns", ""));
        proxy.set("port", interface->optValue<std::string>("port", ""));
    }
    for (const char* gone : {"host", "status", "proxy_address", "interface"}) proxy.remove(gone);
}

/// A 6.0 discovery rule names its proxy by proxy_hostid, and its checks lack 7.0's allow_redirect
/// (off unless set).
void upgrade_drule(Poco::JSON::Object& rule) {
    if (rule.has("proxy_hostid")) {
        rule.set("proxyid", rule.getValue<std::string>("proxy_hostid"));
        rule.remove("proxy_hostid");
    }
    if (const auto checks = rule.getArray("dchecks"))
        for (std::size_t i = 0; i < checks->size(); ++i)
            if (auto check = checks->getObject(static_cast<unsigned>(i)); check && !check->has("allow_redirect"))
                check->set("allow_redirect", "0");
}

/// 6.4 replaced a script media type's exec_params (one parameter a line) by ordered parameters;
/// 7.0 renamed content_type message_format (and refuses the two together).
void upgrade_mediatype(Poco::JSON::Object& mediatype) {
    if (mediatype.has("content_type")) {
        mediatype.set("message_format", mediatype.get("content_type"));
        mediatype.remove("content_type");
    }
    if (!mediatype.has("exec_params")) return;
    if (mediatype.optValue<std::string>("type", "") == "1") {
        Poco::JSON::Array::Ptr parameters = new Poco::JSON::Array;
        const auto lines = mediatype.getValue<std::string>("exec_params");
        std::string::size_type start = 0;
        for (auto end = lines.find('\n'); end != std::string::npos; start = end + 1, end = lines.find('\n', start)) {
            Poco::JSON::Object::Ptr parameter = new Poco::JSON::Object;
            parameter->set("sortorder", std::to_string(parameters->size()));
            parameter->set("value", lines.substr(start, end - start));
            parameters->add(parameter);
        }
        mediatype.set("parameters", parameters);
    }
    mediatype.remove("exec_params");
}

/// A 6.0 user group's rights, each on the host group, the template group or both its group became.
void upgrade_rights(Poco::JSON::Object& group, const GroupIds& groups) {
    const auto rights = group.getArray("rights");
    if (!rights) return;
    Poco::JSON::Array::Ptr host_rights = new Poco::JSON::Array, template_rights = new Poco::JSON::Array;
    for (std::size_t i = 0; i < rights->size(); ++i) {
        const auto right = rights->getObject(static_cast<unsigned>(i));
        const auto id = right ? right->optValue<std::string>("id", "") : "";
        if (groups.host_groups.count(id)) host_rights->add(right);
        if (groups.template_groups.count(id)) template_rights->add(right);
    }
    group.set("hostgroup_rights", host_rights);
    group.set("templategroup_rights", template_rights);
    group.remove("rights");
}

}  // namespace

Poco::JSON::Object::Ptr upgraded(const std::string& kind, const zabbix::Version& backup, const zabbix::Version& destination,
                                 Poco::JSON::Object::Ptr object, const GroupIds& groups) {
    if (!object) return object;
    if (!backup.at_least(7, 0) && destination.at_least(7, 0)) {
        if (kind == "proxies") upgrade_proxy(*object);
        if (kind == "drules") upgrade_drule(*object);
        if (kind == "mediatypes") upgrade_mediatype(*object);
    }
    if (!backup.at_least(6, 2) && destination.at_least(6, 2) && kind == "usergroups") upgrade_rights(*object, groups);
    return object;
}

void drop_newer_only(const std::string& kind, const Poco::JSON::Object::Ptr& backup, const Poco::JSON::Object::Ptr& existing) {
    if (kind != "roles") return;
    const auto wanted = backup->getObject("rules");
    auto rules = existing->getObject("rules");
    if (!wanted || !rules) return;
    for (const char* key : {"ui", "actions"}) {
        const auto known = wanted->getArray(key);
        const auto list = rules->getArray(key);
        if (!known || !list) continue;
        std::set<std::string> names;
        for (std::size_t i = 0; i < known->size(); ++i)
            if (const auto element = known->getObject(static_cast<unsigned>(i))) names.insert(element->optValue<std::string>("name", ""));
        Poco::JSON::Array::Ptr kept = new Poco::JSON::Array;
        for (std::size_t i = 0; i < list->size(); ++i)
            if (const auto element = list->getObject(static_cast<unsigned>(i));
                element && names.count(element->optValue<std::string>("name", "")))
                kept->add(element);
        rules->set(key, kept);
    }
}

std::string derived_uuid(const std::string& seed, const std::string& uuid) {
    auto hex = zabbix_format::sha256_hex(seed + "\n" + uuid).substr(0, 32);
    // Zabbix checks the version nibble (4) and the variant (8, 9, a or b).
    hex[12] = '4';
    hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) % 4];
    return hex;
}

}  // namespace concierge::zabbix_import
