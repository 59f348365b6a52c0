#include "object_kinds.hpp"

#include "export_merge.hpp"
#include "json_values.hpp"

#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace concierge::zabbix_format {

namespace {

Request get(const std::string& method, const std::string& params) { return {method, params}; }

std::string first_host(const Poco::JSON::Object::Ptr& object) {
    const auto hosts = object->getArray("hosts");
    if (!hosts || hosts->size() == 0) return {};
    const auto host = hosts->getObject(0);
    return host && host->has("host") ? host->getValue<std::string>("host") : std::string();
}

Request by_ids(const std::string& method, const std::string& output, const std::string& id_key,
               const std::vector<std::string>& ids, const std::string& extra = {}) {
    return {method, R"({"output":)" + output + R"(,"selectHosts":["host"],")" + id_key + "\":" + json_string_array(ids) +
                        extra + "}"};
}

Request by_filter(const std::string& method, const std::string& output, const std::string& field,
                  const std::vector<std::string>& values, const std::string& extra = {}) {
    return {method, R"({"output":)" + output + R"(,"selectHosts":["host"],"filter":{")" + field + "\":" +
                        json_string_array(values) + "}" + extra + "}"};
}

}  // namespace

std::vector<ObjectKind> object_kinds(const zabbix::Version& version) {
    const bool split_groups = version.at_least(6, 2);
    std::vector<ObjectKind> kinds;
    // Proxies before hosts: a host's export names its proxy.
    if (version.at_least(7, 0))
        kinds.push_back({"proxies", "proxies.json", "proxy", "proxy", "proxyid", "name", get("proxy.get", R"({"output":"extend"})")});
    else
        kinds.push_back({"proxies", "proxies.json", "proxy", "proxy", "proxyid", "host",
                         get("proxy.get", R"({"output":"extend","selectInterface":"extend"})")});
    kinds.push_back({"globalmacros", "globalmacros.json", "global macro", "usermacro", "globalmacroid", "macro",
                     get("usermacro.get", R"({"output":"extend","globalmacro":true})"), "usermacro.createglobal",
                     "usermacro.updateglobal"});
    // The service tree (6.0's services and SLAs; earlier versions had IT services, another model).
    if (version.at_least(6, 0)) {
        kinds.push_back({"services", "services.json", "service", "service", "serviceid", "name",
                         get("service.get", R"({"output":"extend","selectParents":["serviceid"],"selectTags":"extend",)"
                                            R"("selectProblemTags":"extend","selectStatusRules":"extend"})")});
        kinds.push_back({"slas", "slas.json", "SLA", "sla", "slaid", "name",
                         get("sla.get", R"({"output":"extend","selectServiceTags":"extend","selectSchedule":"extend",)"
                                        R"("selectExcludedDowntimes":"extend"})")});
    }
    if (version.at_least(5, 2))
        kinds.push_back({"roles", "roles.json", "user role", "role", "roleid", "name",
                         get("role.get", R"({"output":"extend","selectRules":"extend"})")});
    kinds.push_back({"usergroups", "usergroups.json", "user group", "usergroup", "usrgrpid", "name",
                     get("usergroup.get", split_groups ? R"({"output":"extend","selectHostGroupRights":"extend",)"
                                                         R"("selectTemplateGroupRights":"extend","selectTagFilters":"extend"})"
                                                       : R"({"output":"extend","selectRights":"extend","selectTagFilters":"extend"})")});
    kinds.push_back({"users", "users.json", "user", "user", "userid", version.at_least(5, 4) ? "username" : "alias",
                     get("user.get", R"({"output":"extend","selectMedias":"extend","selectUsrgrps":["usrgrpid"]})")});
    kinds.push_back({"scripts", "scripts.json", "script", "script", "scriptid", "name", get("script.get", R"({"output":"extend"})")});
    kinds.push_back({"maintenances", "maintenances.json", "maintenance", "maintenance", "maintenanceid", "name",
                     get("maintenance.get", std::string(R"({"output":"extend",)") +
                                                (split_groups ? R"("selectHostGroups":"extend",)" : R"("selectGroups":"extend",)") +
                                                R"("selectHosts":["hostid"],"selectTimeperiods":"extend","selectTags":"extend"})")});
    kinds.push_back({"drules", "drules.json", "discovery rule", "drule", "druleid", "name",
                     get("drule.get", R"({"output":"extend","selectDChecks":"extend"})")});
    kinds.push_back({"correlations", "correlations.json", "correlation", "correlation", "correlationid", "name",
                     get("correlation.get", R"({"output":"extend","selectFilter":"extend","selectOperations":"extend"})")});
    kinds.push_back({"iconmaps", "iconmaps.json", "icon map", "iconmap", "iconmapid", "name",
                     get("iconmap.get", R"({"output":"extend","selectMappings":"extend"})")});
    // Dashboards have pages from 5.4; earlier ones held their widgets directly.
    if (version.at_least(5, 4))
        kinds.push_back({"dashboards", "dashboards.json", "dashboard", "dashboard", "dashboardid", "name",
                         get("dashboard.get", R"({"output":"extend","selectPages":"extend","selectUsers":"extend",)"
                                              R"("selectUserGroups":"extend"})")});
    const struct {
        const char* key;
        const char* file;
        const char* label;
        int eventsource;
    } actions[] = {{"trigger_actions", files::trigger_actions, "trigger action", 0},
                   {"discovery_actions", "discovery_actions.json", "discovery action", 1},
                   {"autoregistration_actions", files::reg_actions, "autoregistration action", 2},
                   {"internal_actions", "internal_actions.json", "internal action", 3}};
    for (const auto& action : actions)
        kinds.push_back({action.key, action.file, action.label, "action", "actionid", "name",
                         get_actions(version, action.eventsource), {}, {}, action.eventsource});
    return kinds;
}

const std::vector<ObjectKind>& every_object_kind() {
    static const auto kinds = object_kinds(zabbix::Version{99, 0, 0, "99.0"});
    return kinds;
}

const ObjectKind* find_kind(const std::vector<ObjectKind>& kinds, std::string_view key) {
    for (const auto& kind : kinds)
        if (kind.key == key) return &kind;
    return nullptr;
}

Request export_images(const std::vector<std::string>& image_ids) {
    return {"configuration.export", R"({"format":"json","options":{"images":)" + json_string_array(image_ids) + "}}"};
}

Request export_maps(const std::vector<std::string>& map_ids) {
    return {"configuration.export", R"({"format":"json","options":{"maps":)" + json_string_array(map_ids) + "}}"};
}

Request name_triggers(const std::vector<std::string>& ids) {
    return by_ids("trigger.get", R"(["triggerid","description","expression"])", "triggerids", ids, R"(,"expandExpression":true)");
}
Request name_items(const std::vector<std::string>& ids, bool prototypes) {
    return by_ids(prototypes ? "itemprototype.get" : "item.get", R"(["itemid","key_"])", "itemids", ids, R"(,"webitems":true)");
}
Request name_graphs(const std::vector<std::string>& ids, bool prototypes) {
    return by_ids(prototypes ? "graphprototype.get" : "graph.get", R"(["graphid","name"])", "graphids", ids);
}
Request find_triggers(const std::vector<std::string>& descriptions) {
    return by_filter("trigger.get", R"(["triggerid","description","expression"])", "description", descriptions,
                     R"(,"expandExpression":true)");
}
Request find_items(const std::vector<std::string>& keys, bool prototypes) {
    return by_filter(prototypes ? "itemprototype.get" : "item.get", R"(["itemid","key_"])", "key_", keys, R"(,"webitems":true)");
}
Request find_graphs(const std::vector<std::string>& names, bool prototypes) {
    return by_filter(prototypes ? "graphprototype.get" : "graph.get", R"(["graphid","name"])", "name", names);
}

void collect_referenced_ids(const ObjectKind& kind, const std::string& result_json, ReferencedIds& into) {
    if (kind.eventsource < 0 && kind.key != "dashboards") return;
    // Widget field types that hold an item, item prototype, graph or graph prototype id.
    static const std::map<std::string, std::string> widget_kinds{
        {"4", "items"}, {"5", "item_prototypes"}, {"6", "graphs"}, {"7", "graph_prototypes"}};
    const auto objects = objects_of(parse_array(result_json, "a *.get"));
    try {
        for (const auto& object : objects) {
            if (kind.eventsource >= 0) {  // an action: its trigger conditions
                const auto filter = object->getObject("filter");
                const auto conditions = filter ? filter->getArray("conditions") : nullptr;
                for (std::size_t i = 0; conditions && i < conditions->size(); ++i) {
                    const auto condition = conditions->getObject(static_cast<unsigned>(i));
                    if (condition && condition->optValue<std::string>("conditiontype", "") == "2")
                        into["triggers"].insert(condition->getValue<std::string>("value"));
                }
                continue;
            }
            const auto pages = object->getArray("pages");  // a dashboard: its widgets' fields
            for (std::size_t p = 0; pages && p < pages->size(); ++p) {
                const auto widgets = pages->getObject(static_cast<unsigned>(p))->getArray("widgets");
                for (std::size_t w = 0; widgets && w < widgets->size(); ++w) {
                    const auto fields = widgets->getObject(static_cast<unsigned>(w))->getArray("fields");
                    for (std::size_t f = 0; fields && f < fields->size(); ++f) {
                        const auto field = fields->getObject(static_cast<unsigned>(f));
                        const auto found = widget_kinds.find(field->optValue<std::string>("type", ""));
                        if (found != widget_kinds.end()) into[found->second].insert(field->getValue<std::string>("value"));
                    }
                }
            }
        }
    } catch (const Poco::Exception& e) {  // a member missing, or something else where an object should be
        throw sdk::Error(sdk::ExitCode::RemoteError, "Zabbix answered the " + kind.label + "s with an object of the wrong shape: " +
                                                         e.displayText());
    }
}

std::vector<NameList> name_lists(const ReferencedIds& referenced) {
    const auto ids = [&referenced](const std::string& key) {
        const auto found = referenced.find(key);
        return found == referenced.end() ? std::vector<std::string>{}
                                         : std::vector<std::string>(found->second.begin(), found->second.end());
    };
    const auto list = [&ids](const std::string& key, const std::string& kind, auto request_of) {
        const auto named = ids(key);
        return NameList{key, kind, named.empty() ? std::nullopt : std::optional<Request>(request_of(named))};
    };
    return {list("triggers", "triggers", [](const auto& v) { return name_triggers(v); }),
            list("items", "items", [](const auto& v) { return name_items(v, false); }),
            list("item_prototypes", "items", [](const auto& v) { return name_items(v, true); }),
            list("graphs", "graphs", [](const auto& v) { return name_graphs(v, false); }),
            list("graph_prototypes", "graphs", [](const auto& v) { return name_graphs(v, true); })};
}

std::string composite_name_list(const std::string& kind, std::string_view result_json) {
    Poco::JSON::Array::Ptr list;
    try {
        list = Poco::JSON::Parser().parse(std::string(result_json)).extract<Poco::JSON::Array::Ptr>();
    } catch (const Poco::Exception&) {
        throw sdk::Error(sdk::ExitCode::RemoteError, "Zabbix answered the " + kind + " names with something that is not a list");
    }
    // The fields asked for, by kind; a member missing from the answer is the server's error.
    auto entry_of = [&kind](const Poco::JSON::Object::Ptr& object) {
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
        if (kind == "triggers") {
            entry->set("id", object->getValue<std::string>("triggerid"));
            entry->set("key", object->getValue<std::string>("description"));
            entry->set("name", object->getValue<std::string>("description") + " [" +
                                   object->getValue<std::string>("expression") + "]");
        } else if (kind == "items") {
            entry->set("id", object->getValue<std::string>("itemid"));
            entry->set("key", object->getValue<std::string>("key_"));
            entry->set("name", first_host(object) + ":" + object->getValue<std::string>("key_"));
        } else {
            entry->set("id", object->getValue<std::string>("graphid"));
            entry->set("key", object->getValue<std::string>("name"));
            entry->set("name", first_host(object) + ":" + object->getValue<std::string>("name"));
        }
        return entry;
    };
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    try {
        for (std::size_t i = 0; i < list->size(); ++i)
            if (const auto object = list->getObject(static_cast<unsigned>(i))) out->add(entry_of(object));
    } catch (const Poco::Exception&) {
        throw sdk::Error(sdk::ExitCode::RemoteError, "Zabbix answered the " + kind + " names without the fields asked for");
    }
    return to_json(out);
}

std::string dcheck_name(const std::string& rule_name, const std::string& type, const std::string& key,
                        const std::string& ports) {
    return rule_name + ": type " + type + ", key " + key + ", ports " + ports;
}

}  // namespace concierge::zabbix_format
