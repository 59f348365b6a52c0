// What zabbix-backup asks the Zabbix API, per server version: the methods and params of every
// call, the file each answer goes to, and how the template ids are split into chunks. Pure
// functions of the version and ids, so the version-dependent paths (6.2+ template groups, 5.4+
// user names, 7.0 proxy names) are unit-tested without a server of that version.
#pragma once

#include <concierge/zabbix/client.hpp>

#include <string>
#include <vector>

namespace concierge::zabbix_format {

/// The backup's file names: the earlier tool's (its last version), plus our manifest and format 2's exports.
namespace files {
inline constexpr const char* templates = "templates.json";
inline constexpr const char* hostgroups = "hostgroups.json";
inline constexpr const char* hosts = "hosts.json";
inline constexpr const char* mediatypes = "mediatypes.json";
inline constexpr const char* reg_actions = "reg_actions.json";
inline constexpr const char* trigger_actions = "trigger_actions.json";
inline constexpr const char* id_map = "id_map_backup.json";
inline constexpr const char* actions_data = "actions_data_orig.json";
inline constexpr const char* manifest = "manifest.json";
// Format 2: images and maps by configuration.export, and one *.get file per kind (object_kinds.hpp).
inline constexpr const char* images = "images.json";
inline constexpr const char* maps = "maps.json";
}  // namespace files

/// One API call: method and params as JSON text.
struct Request {
    std::string method;
    std::string params;
};

/// One list of the name<->id map: its key in id_map_backup.json, and the *.get that fills it.
struct MapList {
    std::string key;      ///< "templates", "hostgroups", ...
    std::string id_field; ///< "templateid", "groupid", ...
    Request request;
};

/// The lists of id_map_backup.json, in file order, for this server version: templates,
/// hostgroups, templategroups (6.2+), hosts, mediatypes, usergroups, users, scripts, proxies, images,
/// maps. (Format 2 adds the composite names of triggers, items, graphs and dchecks: object_kinds.hpp.)
std::vector<MapList> id_map_lists(const zabbix::Version& version);

/// configuration.export of these templates, hosts, or groups.
Request export_templates(const std::vector<std::string>& template_ids);
Request export_hosts(const std::vector<std::string>& host_ids);
/// Host groups; on 6.2+ host_groups and template_groups (template_group_ids ignored before 6.2,
/// where host groups hold templates too).
Request export_groups(const zabbix::Version& version, const std::vector<std::string>& host_group_ids,
                      const std::vector<std::string>& template_group_ids);

/// mediatype.get with everything a restore needs (message templates from 5.0).
Request get_mediatypes(const zabbix::Version& version);
/// action.get of one event source (0 trigger, 2 auto-registration) with operations and filter.
Request get_actions(const zabbix::Version& version, int eventsource);

/// Splits ids into at most `chunks` contiguous, non-empty runs of near-equal size, keeping order.
std::vector<std::vector<std::string>> split(const std::vector<std::string>& ids, std::size_t chunks);

/// A JSON array of strings: ["1","2"].
std::string json_string_array(const std::vector<std::string>& values);

}  // namespace concierge::zabbix_format
