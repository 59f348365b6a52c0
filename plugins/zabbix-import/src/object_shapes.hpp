// What of each object kind a restore writes, and which of its members name other objects. An
// object read with *.get holds ids of its server; reduced through a Remap it becomes either its
// portable form (every reference a name: what two servers compare) or what *.create/*.update take
// at the destination (every reference the destination's id). Members *.create rejects (ids,
// read-only and per-type members: Zabbix 6.0 validates strictly) are left out, and lists whose
// order means nothing are sorted, so an unchanged object compares equal.
#pragma once

#include "object_kinds.hpp"

#include <Poco/JSON/Object.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace concierge::zabbix_import {

/// Maps one reference of a kind ("hostgroups", "users", ...): an id to a name, or a name to an id.
/// "0" (none, all, or the event's own host) is never passed.
using Remap = std::function<std::string(const std::string& kind, const std::string& value)>;

/// The members of an object that a restore writes.
struct Shape {
    std::vector<std::string> plain{};                          ///< copied as they are
    std::vector<std::pair<std::string, std::string>> refs{};   ///< member -> kind of the object it names
    std::vector<std::pair<std::string, Shape>> lists{};        ///< member -> shape of each element
    std::vector<std::pair<std::string, Shape>> objects{};      ///< member -> shape of the object
    bool sorted = false;                                       ///< as a list element: the order means nothing
    /// Members that depend on the object's own type (a script's, a time period's): added by hand.
    void (*more)(const Poco::JSON::Object::Ptr& from, Poco::JSON::Object::Ptr& to, const Remap& remap) = nullptr;
};

/// `object` reduced to `shape`, every reference passed through `remap`.
Poco::JSON::Object::Ptr reduce(const Poco::JSON::Object::Ptr& object, const Shape& shape, const Remap& remap);

/// The object as the destination's `kind.create()` takes it (or its portable form, by `remap`).
/// Actions go through restore_action's reduction, everything else through the kind's shape.
Poco::JSON::Object::Ptr restorable(const zabbix_format::ObjectKind& kind, const zabbix::Version& destination,
                                   const Poco::JSON::Object::Ptr& object, const Remap& remap);

/// The built-in objects of a kind that a restore matches by name but never writes (user roles a
/// fresh install has; the Super admin role cannot be changed at all).
bool is_builtin(const zabbix_format::ObjectKind& kind, const std::string& name);

/// A widget field's type names an object of this kind ("" for a plain value).
std::string widget_field_kind(const std::string& type);

}  // namespace concierge::zabbix_import
