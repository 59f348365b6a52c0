// A restore is not an attack path: a backup directory can be old, mistaken or crafted. Before
// anything is written, every change a restore would make to a destination that already holds a
// configuration of its own is reviewed, and the sensitive ones are refused unless the user allows
// them by name (--allow-changes):
//   mediatypes   an existing media type, or an existing user's media, changes (how and where
//                existing alerts are delivered)
//   commands     a global script, or an action's command operation, is added or changed
//   permissions  an existing user group's rights widen (its tag filters go, it is enabled,
//                or a deny goes), an existing user changes role or joins a group, an existing
//                role changes
//   actions      an existing action's operations change, or a disabled one is enabled
// Pure functions of the objects' portable forms (object_shapes.hpp), unit-tested.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

namespace concierge::zabbix_import {

namespace allow {
inline constexpr const char* mediatypes = "mediatypes";
inline constexpr const char* commands = "commands";
inline constexpr const char* permissions = "permissions";
inline constexpr const char* actions = "actions";
}  // namespace allow

/// Every name --allow-changes takes (besides "all").
const std::vector<std::string>& change_classes();

/// The top-level members whose values differ between two portable forms, in key order.
std::vector<std::string> differing_members(const Poco::JSON::Object::Ptr& wanted, const Poco::JSON::Object::Ptr& existing);

/// The sensitive changes writing `wanted` makes: over `existing`, or as a new object when
/// `existing` is null. `kind` is an object kind's key ("usergroups", "trigger_actions", ...).
std::vector<std::string> sensitive_changes(const std::string& kind, const Poco::JSON::Object::Ptr& wanted,
                                           const Poco::JSON::Object::Ptr& existing);

}  // namespace concierge::zabbix_import
