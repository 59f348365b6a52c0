#include "change_review.hpp"

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
using zabbix_format::to_json;

namespace {


bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

bool is_action(const std::string& kind) { return kind.size() > 8 && kind.compare(kind.size() - 8, 8, "_actions") == 0; }

/// The command operations of an action, as text: what it would run, and on what.
std::set<std::string> command_operations(const Object::Ptr& action) {
    std::set<std::string> out;
    if (!action) return out;
    for (const char* key : {"operations", "recovery_operations", "update_operations"})
        if (const auto list = action->getArray(key))
            for (std::size_t i = 0; i < list->size(); ++i)
                if (const auto op = list->getObject(static_cast<unsigned>(i)); op && text_of(op, "operationtype") == "1")
                    out.insert(to_json(op));
    return out;
}

/// How much a permission grants: deny < none < read < read-write (Zabbix: 0 deny, 2 read, 3 read-write).
int grant(const std::string& permission) {
    if (permission == "0") return 0;
    if (permission == "2") return 2;
    if (permission == "3") return 3;
    return 1;
}

/// Whether any right in `wanted` grants more than the same group's right in `existing`.
bool rights_widen(const Array::Ptr& wanted, const Array::Ptr& existing) {
    std::map<std::string, int> before;
    for (std::size_t i = 0; existing && i < existing->size(); ++i)
        if (const auto right = existing->getObject(static_cast<unsigned>(i)))
            before[text_of(right, "id")] = grant(text_of(right, "permission"));
    std::map<std::string, int> after;
    for (std::size_t i = 0; wanted && i < wanted->size(); ++i)
        if (const auto right = wanted->getObject(static_cast<unsigned>(i)))
            after[text_of(right, "id")] = grant(text_of(right, "permission"));
    for (const auto& [group, level] : after) {
        const auto found = before.find(group);
        if (level > (found == before.end() ? 1 : found->second)) return true;
    }
    // A deny overrides what other groups grant: dropping one widens too.
    for (const auto& [group, level] : before)
        if (level == 0 && !after.count(group)) return true;
    return false;
}

/// The elements of a list as text.
std::set<std::string> texts(const Array::Ptr& list) {
    std::set<std::string> out;
    for (std::size_t i = 0; list && i < list->size(); ++i) out.insert(to_json(list->get(static_cast<unsigned>(i))));
    return out;
}

bool group_widens(const Object::Ptr& wanted, const Object::Ptr& existing) {
    for (const char* key : {"rights", "hostgroup_rights", "templategroup_rights"})
        if (rights_widen(wanted->getArray(key), existing->getArray(key))) return true;
    // Tag filters narrow what a group reads: dropping one widens it.
    const auto filters = texts(wanted->getArray("tag_filters"));
    for (const auto& filter : texts(existing->getArray("tag_filters")))
        if (!filters.count(filter)) return true;
    // Enabling a disabled group, giving frontend access (3 = none), turning debug mode on.
    if (text_of(existing, "users_status") == "1" && text_of(wanted, "users_status") == "0") return true;
    if (text_of(existing, "gui_access") == "3" && text_of(wanted, "gui_access") != "3") return true;
    return text_of(existing, "debug_mode") == "0" && text_of(wanted, "debug_mode") == "1";
}

bool user_widens(const Object::Ptr& wanted, const Object::Ptr& existing) {
    if (text_of(wanted, "roleid") != text_of(existing, "roleid")) return true;
    const auto groups = texts(existing->getArray("usrgrps"));
    for (const auto& group : texts(wanted->getArray("usrgrps")))
        if (!groups.count(group)) return true;
    return false;
}

}  // namespace

const std::vector<std::string>& change_classes() {
    static const std::vector<std::string> classes{allow::mediatypes, allow::commands, allow::permissions, allow::actions};
    return classes;
}

std::vector<std::string> differing_members(const Object::Ptr& wanted, const Object::Ptr& existing) {
    std::set<std::string> keys;
    for (const auto& key : wanted->getNames()) keys.insert(key);
    for (const auto& key : existing->getNames()) keys.insert(key);
    std::vector<std::string> out;
    for (const auto& key : keys) {
        const bool in_wanted = wanted->has(key), in_existing = existing->has(key);
        if (in_wanted != in_existing || (in_wanted && to_json(wanted->get(key)) != to_json(existing->get(key))))
            out.push_back(key);
    }
    return out;
}

std::vector<std::string> sensitive_changes(const std::string& kind, const Object::Ptr& wanted, const Object::Ptr& existing) {
    std::vector<std::string> out;
    if (kind == "mediatypes" && existing) out.push_back(allow::mediatypes);
    if (kind == "scripts") out.push_back(allow::commands);
    if (is_action(kind)) {
        const auto before = command_operations(existing);
        for (const auto& op : command_operations(wanted))
            if (!before.count(op)) {
                out.push_back(allow::commands);
                break;
            }
        // Enabling an existing action starts its operations.
        if (existing && text_of(existing, "status") == "1" && text_of(wanted, "status") == "0") out.push_back(allow::actions);
        if (existing && !has(out, allow::actions))
            for (const char* key : {"operations", "recovery_operations", "update_operations"}) {
                const auto a = wanted->has(key) ? to_json(wanted->get(key)) : std::string();
                const auto b = existing->has(key) ? to_json(existing->get(key)) : std::string();
                if (a != b) {
                    out.push_back(allow::actions);
                    break;
                }
            }
    }
    if (existing && kind == "usergroups" && group_widens(wanted, existing)) out.push_back(allow::permissions);
    if (existing && kind == "users" && user_widens(wanted, existing)) out.push_back(allow::permissions);
    // An existing user's media say where alerts go.
    if (existing && kind == "users" && to_json(wanted->get("medias")) != to_json(existing->get("medias")))
        out.push_back(allow::mediatypes);
    if (existing && kind == "roles" && !differing_members(wanted, existing).empty()) out.push_back(allow::permissions);
    return out;
}

}  // namespace concierge::zabbix_import
