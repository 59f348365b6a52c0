// Actions and media types restored by name. An action read with action.get holds ids of the
// source server (host groups, hosts, templates, proxies in its conditions; media types, user
// groups, users, scripts, host groups, hosts, templates in its operations). Each is mapped to a
// name through the backup's id_map_backup.json, then to the destination's id through the
// destination's own *.get. What cannot be mapped is listed by name, never dropped: an action
// with such a reference is not written at all, since without it the action would mean something
// else. Keys action.create rejects (ids, read-only and per-event-source keys: Zabbix 6.0 validates
// strictly) are left out.
#pragma once

#include "object_shapes.hpp"

#include <Poco/JSON/Object.h>

#include <map>
#include <string>
#include <vector>

namespace concierge::zabbix_import {

/// Names and ids per kind: the keys of id_map_backup.json ("hostgroups", "templates", "hosts",
/// "mediatypes", "usergroups", "users", "scripts", "proxies", ...).
class NameMap {
public:
    /// Reads a name/id list: a *.get result, or a list of id_map_backup.json (either tool's).
    void add_list(const std::string& kind, const std::string& list_json);
    /// The same, naming the members that hold the id and the name (objects read with "extend").
    void add_list(const std::string& kind, const std::string& list_json, const std::string& id_field,
                  const std::string& name_field);
    /// Adds one name.
    void add(const std::string& kind, const std::string& id, const std::string& name);
    /// Forgets every name of a kind.
    void clear(const std::string& kind);
    /// Every name of a kind, with its id.
    const std::map<std::string, std::string>& ids(const std::string& kind) const;
    /// Every list of id_map_backup.json.
    void add_id_map(const std::string& id_map_json);

    const std::string* name_of(const std::string& kind, const std::string& id) const;
    const std::string* id_of(const std::string& kind, const std::string& name) const;
    std::size_t size(const std::string& kind) const;
    /// Gives every name of `kind` in `other` that this map lacks the id `id` (a dry run's stand-in
    /// for objects the import would create).
    void assume(const std::string& kind, const NameMap& other, const std::string& id);

private:
    std::map<std::string, std::map<std::string, std::string>> names_;  // kind -> id -> name
    std::map<std::string, std::map<std::string, std::string>> ids_;    // kind -> name -> id
};

/// The kind's singular for messages: "user group", "media type".
std::string kind_label(const std::string& kind);

/// A reference that could not be mapped.
struct Unmapped {
    std::string kind;  ///< "usergroups", "triggers", ...
    std::string id;    ///< in the backup
    std::string name;  ///< empty when the backup has no name for it
    std::string describe() const;
};

struct RestoredAction {
    std::string name;
    int eventsource = 0;
    Poco::JSON::Object::Ptr fields;  ///< what action.create takes (action.update: plus actionid, minus eventsource)
    std::vector<Unmapped> unmapped;
};

/// The members of an action that action.create takes, every reference passed through `remap`.
Poco::JSON::Object::Ptr reduce_action(const Poco::JSON::Object::Ptr& action, const Remap& remap);

/// The action as action.create takes it, every id mapped from `source` names to `destination` ids.
RestoredAction restore_action(const Poco::JSON::Object::Ptr& action, const NameMap& source, const NameMap& destination);

/// An action read from the destination, reduced to the same keys, to tell whether it already
/// equals a RestoredAction (compare to_json of both).
Poco::JSON::Object::Ptr comparable_action(const Poco::JSON::Object::Ptr& action);

/// A media type as mediatype.create takes it (no mediatypeid), and the same reduction of one read
/// from the destination for comparison.
Poco::JSON::Object::Ptr restorable_mediatype(const Poco::JSON::Object::Ptr& mediatype);

}  // namespace concierge::zabbix_import
