// The configuration a backup keeps beside the configuration.export files: one file per object
// kind, each the *.get result of every object of that kind, read with whatever a restore needs
// (rights, media, checks, pages, filters, operations). Pure functions of the server's version, so
// the 6.2+ and 7.0 paths are unit-tested without a server of that version. The list is in restore
// order: every kind comes after the kinds its objects name.
#pragma once

#include "export_plan.hpp"

#include <concierge/zabbix/client.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace concierge::zabbix_format {

/// One object kind kept as a *.get result.
struct ObjectKind {
    std::string key;          ///< "usergroups": the name --only/--skip and the id map use
    std::string file;         ///< "usergroups.json"
    std::string label;        ///< "user group", for messages
    std::string api;          ///< "usergroup": the API's object, for *.create and *.update
    std::string id_field;     ///< "usrgrpid"
    std::string name_field;   ///< "name": what the object is known by, at any server
    Request get;              ///< everything a restore needs of every object of the kind
    std::string create_method{};  ///< when not api + ".create" (global macros)
    std::string update_method{};
    int eventsource = -1;     ///< actions: the one event source the file may hold

    std::string create() const { return create_method.empty() ? api + ".create" : create_method; }
    std::string update() const { return update_method.empty() ? api + ".update" : update_method; }
};

/// Every kind a server of this version has, in restore order. Actions are four kinds, one file
/// per event source: trigger_actions.json and reg_actions.json keep the earlier tool's names.
std::vector<ObjectKind> object_kinds(const zabbix::Version& version);

/// Every kind any version has (the newest server's list): what a backup of any version may hold.
const std::vector<ObjectKind>& every_object_kind();

/// The kind keyed `key` in `kinds`, or nullptr.
const ObjectKind* find_kind(const std::vector<ObjectKind>& kinds, std::string_view key);

/// Kinds written by configuration.export and restored by configuration.import, beside the
/// earlier tool's three: images (the map and icon map pictures) and maps.
namespace export_kinds {
inline constexpr const char* images = "images";
inline constexpr const char* maps = "maps";
}  // namespace export_kinds

/// configuration.export of these images, or maps (their elements named by name).
Request export_images(const std::vector<std::string>& image_ids);
Request export_maps(const std::vector<std::string>& map_ids);

/// Objects that have no unique name of their own are known by a composite one, recorded in
/// id_map_backup.json for the ids that actions and dashboards name:
///   triggers  "DESCRIPTION [EXPRESSION]", the expression expanded to host names
///   items     "HOST:KEY"   (also item prototypes)
///   graphs    "HOST:NAME"  (also graph prototypes)
///   dchecks   "RULE: type T, key K, ports P"
/// The requests read them by id; the result's objects carry "hosts":[{"host"}].
Request name_triggers(const std::vector<std::string>& ids);
Request name_items(const std::vector<std::string>& ids, bool prototypes);
Request name_graphs(const std::vector<std::string>& ids, bool prototypes);
/// The ids a backup names in id_map_backup.json, by list: "triggers" (actions' trigger conditions),
/// "items", "item_prototypes", "graphs", "graph_prototypes" (dashboards' widgets).
using ReferencedIds = std::map<std::string, std::set<std::string>>;
/// Adds the ids that a kind's *.get answer names (an action's or a dashboard's) to `into`.
void collect_referenced_ids(const ObjectKind& kind, const std::string& result_json, ReferencedIds& into);

/// One composite name list of id_map_backup.json: its key, the kind its names are made as
/// (composite_name_list), and the *.get that reads the named objects (none when none is named).
struct NameList {
    std::string key;
    std::string kind;
    std::optional<Request> request;
};
/// The five lists (triggers, items, item prototypes, graphs, graph prototypes), in file order.
std::vector<NameList> name_lists(const ReferencedIds& referenced);

/// The same objects by what their composite names hold, to find them at another server.
Request find_triggers(const std::vector<std::string>& descriptions);
Request find_items(const std::vector<std::string>& keys, bool prototypes);
Request find_graphs(const std::vector<std::string>& names, bool prototypes);

/// [{"id":..,"name":..,"key":..}] of a *.get result of those requests, composite names made;
/// "key" is what find_* searches by (the description, key_ or graph name).
/// `kind` is "triggers", "items", "graphs" (prototypes named as their kind).
std::string composite_name_list(const std::string& kind, std::string_view result_json);

/// A discovery check's composite name, from its rule's name and the check as drule.get gives it.
std::string dcheck_name(const std::string& rule_name, const std::string& type, const std::string& key,
                        const std::string& ports);

}  // namespace concierge::zabbix_format
