#include "object_shapes.hpp"

#include "action_remap.hpp"
#include "export_merge.hpp"
#include "json_values.hpp"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <map>
#include <set>

namespace concierge::zabbix_import {

using Poco::JSON::Array;
using Poco::JSON::Object;
using zabbix_format::text_of;

namespace {


void copy(const Object::Ptr& from, Object::Ptr& to, const std::string& key) {
    if (from->has(key)) to->set(key, from->get(key));
}

void copy_all(const Object::Ptr& from, Object::Ptr& to, std::initializer_list<const char*> keys) {
    for (const char* key : keys) copy(from, to, key);
}

std::string mapped(const std::string& kind, const std::string& value, const Remap& remap) {
    return value.empty() || value == "0" ? value : remap(kind, value);
}

Array::Ptr reduce_list(const Array::Ptr& list, const Shape& shape, const Remap& remap) {
    Array::Ptr out = new Array;
    if (!list) return out;
    std::vector<std::pair<std::string, Object::Ptr>> elements;
    for (std::size_t i = 0; i < list->size(); ++i)
        if (const auto element = list->getObject(static_cast<unsigned>(i))) {
            auto reduced = reduce(element, shape, remap);
            elements.emplace_back(zabbix_format::to_json(reduced), reduced);
        }
    if (shape.sorted)
        std::sort(elements.begin(), elements.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& element : elements) out->add(element.second);
    return out;
}

// Scripts: which members *.create accepts depends on the type and scope (6.0 rejects the rest).
enum ScriptType { script_command = 0, script_ipmi = 1, script_ssh = 2, script_telnet = 3, script_webhook = 5 };
enum ScriptScope { scope_action = 1, scope_manual_host = 2, scope_manual_event = 4 };

void script_members(const Object::Ptr& from, Object::Ptr& to, const Remap& remap) {
    const int type = std::atoi(text_of(from, "type").c_str());
    const int scope = std::atoi(text_of(from, "scope").c_str());
    if (type == script_command) copy(from, to, "execute_on");
    if (type == script_ssh) copy_all(from, to, {"authtype", "publickey", "privatekey"});
    if (type == script_ssh || type == script_telnet) copy_all(from, to, {"username", "password", "port"});
    if (type == script_webhook) {
        copy(from, to, "timeout");
        static const Shape parameter{.plain = {"name", "value"}, .sorted = true};
        to->set("parameters", reduce_list(from->getArray("parameters"), parameter, remap));
    }
    if (scope == scope_manual_host || scope == scope_manual_event) {
        copy_all(from, to, {"host_access", "confirmation", "menu_path"});
        if (from->has("usrgrpid")) to->set("usrgrpid", mapped("usergroups", text_of(from, "usrgrpid"), remap));
    }
}

// Maintenance periods: each period type takes its own members.
void timeperiod_members(const Object::Ptr& from, Object::Ptr& to, const Remap&) {
    switch (std::atoi(text_of(from, "timeperiod_type").c_str())) {
        case 0: copy(from, to, "start_date"); break;                                         // one time
        case 2: copy_all(from, to, {"every", "start_time"}); break;                          // daily
        case 3: copy_all(from, to, {"every", "dayofweek", "start_time"}); break;             // weekly
        case 4: copy_all(from, to, {"every", "dayofweek", "day", "month", "start_time"}); break;  // monthly
        default: break;
    }
}

// A correlation's filter: a formula, and its conditions' formula ids, only with a custom
// expression (evaltype 3).
void formula_members(const Object::Ptr& from, Object::Ptr& to, const Remap&) {
    if (text_of(from, "evaltype") == "3") {
        copy(from, to, "formula");
        return;
    }
    const auto conditions = to->getArray("conditions");
    if (!conditions) return;
    // Without their formula ids, sorted again: the ids are labels the server gives.
    std::vector<std::pair<std::string, Object::Ptr>> sorted;
    for (std::size_t i = 0; i < conditions->size(); ++i) {
        auto condition = conditions->getObject(static_cast<unsigned>(i));
        condition->remove("formulaid");
        sorted.emplace_back(zabbix_format::to_json(condition), condition);
    }
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    Array::Ptr out = new Array;
    for (const auto& [text, condition] : sorted) out->add(condition);
    to->set("conditions", out);
}

void widget_field_value(const Object::Ptr& from, Object::Ptr& to, const Remap& remap) {
    const auto kind = widget_field_kind(text_of(from, "type"));
    const auto value = text_of(from, "value");
    to->set("value", kind.empty() ? value : mapped(kind, value, remap));
}

const Shape& shape_of(const std::string& key, const zabbix::Version& version) {
    static const Shape tag{.plain = {"tag", "value"}, .sorted = true};
    static const Shape tag_operator{.plain = {"tag", "operator", "value"}, .sorted = true};
    static const std::map<std::string, Shape> shapes{
        {"proxies",
         {.plain = {"host", "status", "description", "tls_connect", "tls_accept", "tls_issuer", "tls_subject", "proxy_address"}}},
        {"proxies_7",
         {.plain = {"name", "operating_mode", "description", "tls_connect", "tls_accept", "tls_issuer", "tls_subject",
                    "allowed_addresses", "address", "port"}}},
        {"globalmacros", {.plain = {"macro", "value", "type", "description"}}},
        {"services",
         {.plain = {"name", "algorithm", "sortorder", "weight", "propagation_rule", "propagation_value", "description"},
          .lists = {{"tags", tag},
                    {"problem_tags", tag_operator},
                    {"status_rules", {.plain = {"type", "limit_value", "limit_status", "new_status"}, .sorted = true}},
                    {"parents", {.refs = {{"serviceid", "services"}}, .sorted = true}}}}},
        {"slas",
         {.plain = {"name", "period", "slo", "effective_date", "timezone", "status", "description"},
          .lists = {{"service_tags", tag_operator},
                    {"schedule", {.plain = {"period_from", "period_to"}, .sorted = true}},
                    {"excluded_downtimes", {.plain = {"name", "period_from", "period_to"}, .sorted = true}}}}},
        {"roles",
         {.plain = {"name", "type"},
          .objects = {{"rules",
                       {.plain = {"ui.default_access", "services.read.mode", "services.write.mode", "modules.default_access",
                                  "api.access", "api.mode", "api", "actions.default_access"},
                        .lists = {{"ui", {.plain = {"name", "status"}, .sorted = true}},
                                  {"actions", {.plain = {"name", "status"}, .sorted = true}},
                                  {"services.read.list", {.refs = {{"serviceid", "services"}}, .sorted = true}},
                                  {"services.write.list", {.refs = {{"serviceid", "services"}}, .sorted = true}}},
                        .objects = {{"services.read.tag", {.plain = {"tag", "value"}}},
                                    {"services.write.tag", {.plain = {"tag", "value"}}}}}}}}},
        {"usergroups",
         {.plain = {"name", "gui_access", "users_status", "debug_mode"},
          .lists = {{"rights", {.plain = {"permission"}, .refs = {{"id", "hostgroups"}}, .sorted = true}},
                    {"tag_filters", {.plain = {"tag", "value"}, .refs = {{"groupid", "hostgroups"}}, .sorted = true}}}}},
        {"usergroups_6_2",
         {.plain = {"name", "gui_access", "users_status", "debug_mode"},
          .lists = {{"hostgroup_rights", {.plain = {"permission"}, .refs = {{"id", "hostgroups"}}, .sorted = true}},
                    {"templategroup_rights", {.plain = {"permission"}, .refs = {{"id", "templategroups"}}, .sorted = true}},
                    {"tag_filters", {.plain = {"tag", "value"}, .refs = {{"groupid", "hostgroups"}}, .sorted = true}}}}},
        {"users",
         {.plain = {"username", "alias", "name", "surname", "url", "autologin", "autologout", "lang", "refresh", "theme",
                    "rows_per_page", "timezone"},
          .refs = {{"roleid", "roles"}},
          .lists = {{"usrgrps", {.refs = {{"usrgrpid", "usergroups"}}, .sorted = true}},
                    {"medias",
                     {.plain = {"sendto", "active", "severity", "period"}, .refs = {{"mediatypeid", "mediatypes"}}, .sorted = true}}}}},
        {"scripts",
         {.plain = {"name", "command", "type", "scope", "description"}, .refs = {{"groupid", "hostgroups"}}, .more = script_members}},
        {"maintenances",
         {.plain = {"name", "maintenance_type", "description", "active_since", "active_till", "tags_evaltype"},
          .lists = {{"hosts", {.refs = {{"hostid", "hosts"}}, .sorted = true}},
                    {"timeperiods", {.plain = {"timeperiod_type", "period"}, .sorted = true, .more = timeperiod_members}},
                    {"tags", tag_operator}}}},
        {"drules",
         {.plain = {"name", "iprange", "delay", "status"},
          .refs = {{"proxy_hostid", "proxies"}, {"proxyid", "proxies"}},
          .lists = {{"dchecks",
                     {.plain = {"type", "key_", "snmp_community", "ports", "snmpv3_securityname", "snmpv3_securitylevel",
                                "snmpv3_authpassphrase", "snmpv3_privpassphrase", "uniq", "snmpv3_authprotocol",
                                "snmpv3_privprotocol", "snmpv3_contextname", "host_source", "name_source", "allow_redirect"},
                      .sorted = true}}}}},
        {"correlations",
         {.plain = {"name", "description", "status"},
          .lists = {{"operations", {.plain = {"type"}, .sorted = true}}},
          .objects = {{"filter",
                       {.plain = {"evaltype"},
                        .lists = {{"conditions",
                                   {.plain = {"type", "tag", "newtag", "oldtag", "operator", "value", "formulaid"},
                                    .refs = {{"groupid", "hostgroups"}},
                                    .sorted = true}}},
                        .more = formula_members}}}}},
        {"iconmaps",
         {.plain = {"name"},
          .refs = {{"default_iconid", "images"}},
          .lists = {{"mappings", {.plain = {"inventory_link", "expression"}, .refs = {{"iconid", "images"}}}}}}},
        {"dashboards",
         {.plain = {"name", "private", "display_period", "auto_start"},
          .refs = {{"userid", "users"}},
          .lists = {{"pages",
                     {.plain = {"name", "display_period"},
                      .lists = {{"widgets",
                                 {.plain = {"type", "name", "x", "y", "width", "height", "view_mode"},
                                  .lists = {{"fields", {.plain = {"type", "name"}, .sorted = true, .more = widget_field_value}}},
                                  .sorted = true}}}}},
                    {"users", {.plain = {"permission"}, .refs = {{"userid", "users"}}, .sorted = true}},
                    {"userGroups", {.plain = {"permission"}, .refs = {{"usrgrpid", "usergroups"}}, .sorted = true}}}}},
    };
    std::string name = key;
    if (key == "proxies" && version.at_least(7, 0)) name = "proxies_7";
    if (key == "usergroups" && version.at_least(6, 2)) name = "usergroups_6_2";
    return shapes.at(name);
}

}  // namespace

Object::Ptr reduce(const Object::Ptr& object, const Shape& shape, const Remap& remap) {
    Object::Ptr out = new Object;
    if (!object) return out;
    for (const auto& key : shape.plain) copy(object, out, key);
    for (const auto& [key, kind] : shape.refs)
        if (object->has(key)) out->set(key, mapped(kind, text_of(object, key), remap));
    for (const auto& [key, inner] : shape.lists)
        if (object->has(key)) out->set(key, reduce_list(object->getArray(key), inner, remap));
    for (const auto& [key, inner] : shape.objects)
        if (const auto member = object->getObject(key)) out->set(key, reduce(member, inner, remap));
    if (shape.more) shape.more(object, out, remap);
    return out;
}

Object::Ptr restorable(const zabbix_format::ObjectKind& kind, const zabbix::Version& destination, const Object::Ptr& object,
                       const Remap& remap) {
    if (kind.eventsource >= 0) return reduce_action(object, remap);
    if (kind.key == "mediatypes") return restorable_mediatype(object);
    auto out = reduce(object, shape_of(kind.key, destination), remap);
    // A maintenance's groups: selectGroups (6.0) or selectHostGroups (6.2+) read, "groups" written.
    if (kind.key == "maintenances") {
        static const Shape group{.refs = {{"groupid", "hostgroups"}}, .sorted = true};
        for (const char* key : {"groups", "hostgroups"})
            if (object->has(key)) out->set("groups", reduce_list(object->getArray(key), group, remap));
    }
    // A passive proxy's interface (an active one reads back as an empty list).
    if (kind.key == "proxies" && !destination.at_least(7, 0))
        if (const auto interface = object->getObject("interface"))
            out->set("interface", reduce(interface, Shape{.plain = {"useip", "ip", "dns", "port"}}, remap));
    return out;
}

bool is_builtin(const zabbix_format::ObjectKind& kind, const std::string& name) {
    static const std::set<std::string> roles{"User role", "Admin role", "Super admin role", "Guest role"};
    return kind.key == "roles" && roles.count(name) > 0;
}

std::string widget_field_kind(const std::string& type) {
    static const std::map<std::string, std::string> kinds{
        {"2", "hostgroups"}, {"3", "hosts"},           {"4", "items"}, {"5", "item_prototypes"},
        {"6", "graphs"},     {"7", "graph_prototypes"}, {"8", "maps"},  {"9", "services"},
        {"10", "slas"}};
    const auto found = kinds.find(type);
    return found == kinds.end() ? std::string() : found->second;
}

}  // namespace concierge::zabbix_import
