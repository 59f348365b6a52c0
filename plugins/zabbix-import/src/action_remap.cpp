#include "action_remap.hpp"

#include "export_merge.hpp"

#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <functional>
#include <sstream>

namespace concierge::zabbix_import {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

// Event sources and operation types (Zabbix's constants).
enum EventSource { triggers = 0, autoregistration = 2, internal = 3, services = 4 };
enum OperationType {
    message = 0, command = 1, group_add = 4, group_remove = 5, template_add = 6, template_remove = 7,
    inventory = 10, recovery_message = 11, update_message = 12
};
constexpr int condition_suppressed = 16;
constexpr int condition_tag_value = 26;
constexpr int evaltype_expression = 3;

int int_of(const Object::Ptr& object, const std::string& key, int fallback = -1) {
    if (!object || !object->has(key)) return fallback;
    try {
        return std::stoi(object->get(key).convert<std::string>());
    } catch (const std::exception&) {
        return fallback;
    }
}

void copy(const Object::Ptr& from, Object::Ptr& to, const std::string& key) {
    if (from->has(key)) to->set(key, from->get(key));
}

/// The kind an action condition's value names, by condition type; empty for a plain value.
std::string condition_kind(int conditiontype) {
    switch (conditiontype) {
        case 0: return "hostgroups";
        case 1: return "hosts";
        case 2: return "triggers";
        case 13: return "templates";
        case 18: return "drules";
        case 19: return "dchecks";
        case 20: return "proxies";
        case 27: return "services";
        default: return {};
    }
}

/// [{id_key: id}, ...] with each id mapped.
Array::Ptr id_list(const Object::Ptr& from, const std::string& key, const std::string& id_key, const std::string& kind,
                   const Remap& remap, const std::string& keep = {}) {
    Array::Ptr out = new Array;
    const auto list = from->getArray(key);
    if (!list) return out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto element = list->getObject(static_cast<unsigned>(i));
        if (!element || !element->has(id_key)) continue;
        const auto id = element->getValue<std::string>(id_key);
        Object::Ptr mapped = new Object;
        mapped->set(id_key, id == keep && !keep.empty() ? id : remap(kind, id));
        out->add(mapped);
    }
    return out;
}

/// The objects in the order of their texts (the first of each pair).
Array::Ptr sorted_objects(std::vector<std::pair<std::string, Object::Ptr>>& elements) {
    std::sort(elements.begin(), elements.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    Array::Ptr out = new Array;
    for (const auto& element : elements) out->add(element.second);
    return out;
}

Object::Ptr reduce_filter(const Object::Ptr& filter, int eventsource, const Remap& remap) {
    Object::Ptr out = new Object;
    if (!filter) {
        out->set("evaltype", "0");
        out->set("conditions", Array::Ptr(new Array));
        return out;
    }
    const int evaltype = int_of(filter, "evaltype", 0);
    copy(filter, out, "evaltype");
    if (evaltype == evaltype_expression) copy(filter, out, "formula");
    // Sorted: 7.0 gives conditions back in another order (a custom expression names them by formulaid).
    std::vector<std::pair<std::string, Object::Ptr>> conditions;
    if (const auto list = filter->getArray("conditions")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto condition = list->getObject(static_cast<unsigned>(i));
            const int type = int_of(condition, "conditiontype");
            Object::Ptr kept = new Object;
            copy(condition, kept, "conditiontype");
            copy(condition, kept, "operator");
            if (condition->has("value") && !(eventsource == triggers && type == condition_suppressed)) {
                const auto kind = condition_kind(type);
                const auto value = condition->getValue<std::string>("value");
                kept->set("value", kind.empty() ? value : remap(kind, value));
            }
            if (type == condition_tag_value) copy(condition, kept, "value2");
            if (evaltype == evaltype_expression) copy(condition, kept, "formulaid");
            conditions.emplace_back(zabbix_format::to_json(kept), kept);
        }
    }
    out->set("conditions", sorted_objects(conditions));
    return out;
}

enum class Group { operations, recovery, update };

Object::Ptr reduce_operation(const Object::Ptr& op, Group group, int eventsource, const Remap& remap) {
    Object::Ptr out = new Object;
    const int type = int_of(op, "operationtype");
    copy(op, out, "operationtype");
    if (group == Group::operations && (eventsource == triggers || eventsource == internal || eventsource == services))
        for (const char* key : {"esc_period", "esc_step_from", "esc_step_to"}) copy(op, out, key);
    if (group == Group::operations && eventsource == triggers) {
        copy(op, out, "evaltype");
        Array::Ptr conditions = new Array;
        if (const auto list = op->getArray("opconditions"))
            for (std::size_t i = 0; i < list->size(); ++i) {
                const auto condition = list->getObject(static_cast<unsigned>(i));
                Object::Ptr kept = new Object;
                for (const char* key : {"conditiontype", "operator", "value"}) copy(condition, kept, key);
                conditions->add(kept);
            }
        out->set("opconditions", conditions);
    }
    if (type == message || type == recovery_message || type == update_message) {
        const auto from = op->getObject("opmessage");
        Object::Ptr kept = new Object;
        if (from) {
            copy(from, kept, "default_msg");
            if (int_of(from, "default_msg", 1) == 0) {
                copy(from, kept, "subject");
                copy(from, kept, "message");
            }
            // "0" is every media type.
            if (type != recovery_message && from->has("mediatypeid")) {
                const auto id = from->getValue<std::string>("mediatypeid");
                kept->set("mediatypeid", id == "0" ? id : remap("mediatypes", id));
            }
        }
        out->set("opmessage", kept);
    }
    if (type == message) {
        out->set("opmessage_grp", id_list(op, "opmessage_grp", "usrgrpid", "usergroups", remap));
        out->set("opmessage_usr", id_list(op, "opmessage_usr", "userid", "users", remap));
    }
    if (type == command) {
        Object::Ptr script = new Object;
        if (const auto from = op->getObject("opcommand"); from && from->has("scriptid"))
            script->set("scriptid", remap("scripts", from->getValue<std::string>("scriptid")));
        out->set("opcommand", script);
        if (op->has("opcommand_grp")) out->set("opcommand_grp", id_list(op, "opcommand_grp", "groupid", "hostgroups", remap));
        // Host "0" is the host of the event.
        if (op->has("opcommand_hst")) out->set("opcommand_hst", id_list(op, "opcommand_hst", "hostid", "hosts", remap, "0"));
    }
    if (type == group_add || type == group_remove) out->set("opgroup", id_list(op, "opgroup", "groupid", "hostgroups", remap));
    if (type == template_add || type == template_remove)
        out->set("optemplate", id_list(op, "optemplate", "templateid", "templates", remap));
    if (type == inventory) {
        Object::Ptr kept = new Object;
        if (const auto from = op->getObject("opinventory")) copy(from, kept, "inventory_mode");
        out->set("opinventory", kept);
    }
    return out;
}

/// The member naming an object of a name/id list, by what either tool wrote.
std::string name_in(const Object::Ptr& object) {
    for (const char* key : {"name", "host", "username", "alias"})
        if (object->has(key)) return object->getValue<std::string>(key);
    return {};
}

/// The id member: the one key ending in "id" (templateid, groupid, usrgrpid, ...; "id" in the
/// composite name lists).
std::string id_in(const Object::Ptr& object) {
    for (const auto& key : object->getNames())
        if (key.size() >= 2 && key.compare(key.size() - 2, 2, "id") == 0) return object->getValue<std::string>(key);
    return {};
}

}  // namespace

Object::Ptr reduce_action(const Object::Ptr& action, const Remap& remap) {
    const int eventsource = int_of(action, "eventsource");
    Object::Ptr out = new Object;
    for (const char* key : {"name", "eventsource", "status"}) copy(action, out, key);
    const bool escalates = eventsource == triggers || eventsource == internal || eventsource == services;
    if (escalates) copy(action, out, "esc_period");
    if (eventsource == triggers)
        for (const char* key : {"pause_suppressed", "notify_if_canceled", "pause_symptoms"}) copy(action, out, key);
    out->set("filter", reduce_filter(action->getObject("filter"), eventsource, remap));

    auto operations = [&](const std::string& key, Group group) {
        Array::Ptr list = new Array;
        if (const auto from = action->getArray(key))
            for (std::size_t i = 0; i < from->size(); ++i)
                list->add(reduce_operation(from->getObject(static_cast<unsigned>(i)), group, eventsource, remap));
        out->set(key, list);
    };
    operations("operations", Group::operations);
    if (escalates) operations("recovery_operations", Group::recovery);
    if (eventsource == triggers || eventsource == services) operations("update_operations", Group::update);
    return out;
}

void NameMap::add_list(const std::string& kind, const std::string& list_json) { add_list(kind, list_json, {}, {}); }

void NameMap::add_list(const std::string& kind, const std::string& list_json, const std::string& id_field,
                       const std::string& name_field) {
    const auto value = Poco::JSON::Parser().parse(list_json);
    if (value.type() != typeid(Array::Ptr)) return;  // null: none
    const auto list = value.extract<Array::Ptr>();
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto object = list->getObject(static_cast<unsigned>(i));
        if (!object) continue;
        const auto id = id_field.empty() ? id_in(object) : object->optValue<std::string>(id_field, "");
        const auto name = name_field.empty() ? name_in(object) : object->optValue<std::string>(name_field, "");
        if (!id.empty() && !name.empty()) add(kind, id, name);
    }
}

void NameMap::clear(const std::string& kind) {
    names_.erase(kind);
    ids_.erase(kind);
}

const std::map<std::string, std::string>& NameMap::ids(const std::string& kind) const {
    static const std::map<std::string, std::string> none;
    const auto found = ids_.find(kind);
    return found == ids_.end() ? none : found->second;
}

void NameMap::add(const std::string& kind, const std::string& id, const std::string& name) {
    names_[kind][id] = name;
    ids_[kind][name] = id;
}

void NameMap::add_id_map(const std::string& id_map_json) {
    const auto map = Poco::JSON::Parser().parse(id_map_json).extract<Object::Ptr>();
    for (const auto& kind : map->getNames()) {
        std::ostringstream list;
        Poco::JSON::Stringifier::condense(map->get(kind), list);
        add_list(kind, list.str());
    }
}

const std::string* NameMap::name_of(const std::string& kind, const std::string& id) const {
    const auto list = names_.find(kind);
    if (list == names_.end()) return nullptr;
    const auto found = list->second.find(id);
    return found == list->second.end() ? nullptr : &found->second;
}

const std::string* NameMap::id_of(const std::string& kind, const std::string& name) const {
    const auto list = ids_.find(kind);
    if (list == ids_.end()) return nullptr;
    const auto found = list->second.find(name);
    return found == list->second.end() ? nullptr : &found->second;
}

std::size_t NameMap::size(const std::string& kind) const {
    const auto list = ids_.find(kind);
    return list == ids_.end() ? 0 : list->second.size();
}

void NameMap::assume(const std::string& kind, const NameMap& other, const std::string& id) {
    const auto list = other.ids_.find(kind);
    if (list == other.ids_.end()) return;
    for (const auto& [name, ignored] : list->second) ids_[kind].emplace(name, id);
}

std::string kind_label(const std::string& kind) {
    static const std::map<std::string, std::string> labels{
        {"hostgroups", "host group"}, {"templategroups", "template group"}, {"templates", "template"},
        {"hosts", "host"},           {"mediatypes", "media type"},         {"usergroups", "user group"},
        {"users", "user"},           {"scripts", "script"},                {"proxies", "proxy"},
        {"triggers", "trigger"},     {"drules", "discovery rule"},         {"dchecks", "discovery check"},
        {"services", "service"},     {"slas", "SLA"},                      {"roles", "user role"},
        {"images", "image"},         {"maps", "map"},                      {"items", "item"},
        {"item_prototypes", "item prototype"}, {"graphs", "graph"},        {"graph_prototypes", "graph prototype"}};
    const auto found = labels.find(kind);
    return found == labels.end() ? kind : found->second;
}

std::string Unmapped::describe() const {
    if (name.empty())
        return kind_label(kind) + " id " + id + " (the backup's id_map_backup.json has no name for it)";
    return kind_label(kind) + " '" + name + "' (does not exist at the destination)";
}

RestoredAction restore_action(const Object::Ptr& action, const NameMap& source, const NameMap& destination) {
    RestoredAction restored;
    restored.name = action->has("name") ? action->getValue<std::string>("name") : std::string();
    restored.eventsource = int_of(action, "eventsource", 0);
    restored.fields = reduce_action(action, [&](const std::string& kind, const std::string& id) -> std::string {
        const std::string* name = source.name_of(kind, id);
        const std::string* mapped = name ? destination.id_of(kind, *name) : nullptr;
        if (mapped) return *mapped;
        Unmapped missing{kind, id, name ? *name : std::string()};
        const bool seen = std::any_of(restored.unmapped.begin(), restored.unmapped.end(),
                                      [&](const Unmapped& u) { return u.kind == kind && u.id == id; });
        if (!seen) restored.unmapped.push_back(std::move(missing));
        return id;
    });
    return restored;
}

Object::Ptr comparable_action(const Object::Ptr& action) {
    return reduce_action(action, [](const std::string&, const std::string& id) { return id; });
}

Object::Ptr restorable_mediatype(const Object::Ptr& mediatype) {
    Object::Ptr out = new Object;
    for (const auto& key : mediatype->getNames()) {
        if (key == "mediatypeid") continue;
        // 7.0 reads back the deprecated content_type beside message_format, and refuses both in a write.
        if (key == "content_type" && mediatype->has("message_format")) continue;
        if (key != "message_templates" && key != "parameters") {
            out->set(key, mediatype->get(key));
            continue;
        }
        // Sorted: 7.0 gives both lists back in its own order (webhook parameters by name).
        std::vector<std::pair<std::string, Object::Ptr>> elements;
        if (const auto list = mediatype->getArray(key))
            for (std::size_t i = 0; i < list->size(); ++i) {
                auto kept = list->getObject(static_cast<unsigned>(i));
                if (!kept) continue;
                if (key == "message_templates") {
                    const auto from = kept;
                    kept = new Object;
                    for (const char* field : {"eventsource", "recovery", "subject", "message"}) copy(from, kept, field);
                }
                elements.emplace_back(zabbix_format::to_json(kept), kept);
            }
        out->set(key, sorted_objects(elements));
    }
    return out;
}

}  // namespace concierge::zabbix_import
