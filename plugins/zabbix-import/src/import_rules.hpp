// The `rules` of configuration.import and importcompare, right for the destination's version:
// Zabbix rejects a rule key it does not know ("unexpected parameter"), which is how the earlier
// tool's restore failed on 6.0 (applications, screens, templateScreens). Pure functions of the
// version, unit-tested for each branch.
#pragma once

#include <concierge/zabbix/client.hpp>

#include <string>

namespace concierge::zabbix_import {

/// Rules creating what is missing and updating what exists, for host groups (6.2+: host and
/// template groups), templates, hosts and everything they hold. With `delete_missing`, also
/// deleting from each imported template and host what the import lacks (items, triggers,
/// graphs, discovery rules, web scenarios, dashboards, value maps, template links); whole
/// templates, hosts and groups are never deleted. Throws sdk::Error(RemoteError) for a Zabbix
/// older than 5.0, whose import this tool does not know.
std::string import_rules(const zabbix::Version& destination, bool delete_missing);

/// Rules for a document of images ("images"), maps ("maps": also the images they embed) or
/// media types ("media_types", the earlier tool's mediatypes.json): create what is missing,
/// update what differs.
std::string import_rules_for(const std::string& export_key);

/// Whether configuration.importcompare exists (5.4+).
bool has_importcompare(const zabbix::Version& destination);

}  // namespace concierge::zabbix_import
