// The destination's names for ids, and ids for names, per kind: what a restore maps references
// through. Each kind is read when first needed and read again once the restore wrote objects of
// that kind, so an unchanged restore reads each list once. Objects without a unique name
// (triggers, items, graphs and their prototypes) are read only for the ids or search keys asked.
#pragma once

#include "action_remap.hpp"
#include "object_kinds.hpp"

#include <concierge/zabbix/client.hpp>

#include <set>
#include <string>
#include <vector>

namespace concierge::zabbix_import {

class DestinationNames {
public:
    DestinationNames(zabbix::Client& client, std::vector<zabbix_format::ObjectKind> kinds);

    /// The names, with every kind in `kinds` read (composite kinds: what was resolved so far).
    const NameMap& with(const std::set<std::string>& kinds);
    /// The names as they are now.
    const NameMap& names() const noexcept { return names_; }
    /// The restore wrote objects of this kind: read it again when next needed.
    void invalidate(const std::string& kind);

    /// Composite kinds: the names of these destination ids, and the ids of objects found by these
    /// search keys (descriptions, item keys, graph names).
    void resolve_ids(const std::string& kind, const std::vector<std::string>& ids);
    void resolve_keys(const std::string& kind, const std::vector<std::string>& keys);

    /// Whether a kind is composite: named by host and key, description and expression.
    static bool composite(const std::string& kind);

private:
    void read(const std::string& kind);
    void resolve(const std::string& kind, const std::vector<std::string>& values, bool by_id);

    zabbix::Client& client_;
    std::vector<zabbix_format::ObjectKind> kinds_;
    NameMap names_;
    std::set<std::string> fresh_;
};

}  // namespace concierge::zabbix_import
