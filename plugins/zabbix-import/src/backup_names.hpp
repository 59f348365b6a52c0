// The names a backup gives the ids its objects hold: its id map (the earlier tool's lists, and
// format 2's composite names of triggers, items, graphs and discovery checks), and each kind's own
// file. What a restore maps every reference through, and what a test compares two backups by.
#pragma once

#include "action_remap.hpp"
#include "backup_set.hpp"

#include <map>
#include <string>

namespace concierge::zabbix_import {

struct BackupNames {
    NameMap names;
    /// Composite kinds: name -> what the destination is searched by (description, key_, graph name).
    std::map<std::string, std::map<std::string, std::string>> search_keys;
};

/// Throws sdk::Error(InvalidInput) when the id map cannot be read.
BackupNames backup_names(const zabbix_format::BackupSet& backup);

}  // namespace concierge::zabbix_import
