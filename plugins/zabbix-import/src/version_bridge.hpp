// Restoring a backup of one Zabbix version into another. A newer server reads an older export
// (its importer converts it), but not the other way round, and some of what an older export holds
// has moved: 6.2 split 6.0's `groups` into host groups and template groups. Pure functions of the
// texts and versions, unit-tested without a server of either version.
#pragma once

#include <concierge/zabbix/client.hpp>

#include <Poco/JSON/Object.h>

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace concierge::zabbix_import {

/// Major and minor of a version text ("6.0.14", an export's "7.0"); {0, 0} when it has none.
zabbix::Version version_of(const std::string& text);

/// Whether a backup of `backup_version` is written in another major.minor than the destination
/// reads back: its exports can then never equal the destination's, whatever they hold.
bool crosses_versions(const std::string& backup_version, const zabbix::Version& destination);

/// Throws sdk::Error(InvalidInput) naming both versions when the backup comes from a newer
/// Zabbix than the destination: an older importer cannot read a newer export.
void refuse_newer_backup(const std::string& backup_version, const zabbix::Version& destination);

/// The groups of a pre-6.2 export as 6.2+ has them: a group holding templates becomes a template
/// group, one holding hosts (or nothing) a host group, one holding both becomes both, as Zabbix's
/// own database upgrade splits them.
/// A group named by a host prototype (in a template or a host) holds hosts too.
struct SplitGroups {
    std::set<std::string> host_groups, template_groups;
    std::map<std::string, std::string> uuids;  ///< name -> the backup's UUID
};
SplitGroups split_groups(std::string_view groups_export, std::string_view templates_export, std::string_view hosts_export);

/// A 6.2 export of both kinds of groups, for configuration.import. A UUID the destination gives a
/// group of the same kind but another name (`*_taken`: UUID -> name; 7.0 calls 6.0's
/// "Templates/Databases" host group "Databases" under the same UUID) is replaced by one derived
/// from the name, so the import creates the group instead of renaming the destination's.
std::string groups_document(const SplitGroups& groups, const std::map<std::string, std::string>& host_taken,
                            const std::map<std::string, std::string>& template_taken);

/// The backup's host group ids by what 6.2+ makes of them (split_groups): only a pre-6.2 backup's
/// user group rights need it.
struct GroupIds {
    std::set<std::string> host_groups, template_groups;
};

/// `object`, a *.get result of the backup's version for the kind keyed `kind`, changed in place
/// into what the destination's *.get gives, which the restore's shapes read: into 7.0 a 6.0
/// proxy's host, status, proxy_address and interface become name, operating_mode,
/// allowed_addresses, address and port, and a discovery rule's proxy_hostid becomes proxyid; into
/// 6.2+ a 6.0 user group's rights become host group rights and template group rights. Members
/// the destination's version lacks are left out; an object already in the destination's form is
/// returned as it is.
Poco::JSON::Object::Ptr upgraded(const std::string& kind, const zabbix::Version& backup, const zabbix::Version& destination,
                                 Poco::JSON::Object::Ptr object, const GroupIds& groups);

/// Drops from `existing`, the destination's object in portable form, what only the destination's
/// newer version knows, so that comparing it with the backup's (`backup`, also portable) finds only
/// what the backup would change: a role's UI elements and actions added since.
void drop_newer_only(const std::string& kind, const Poco::JSON::Object::Ptr& backup, const Poco::JSON::Object::Ptr& existing);

/// A UUIDv4 derived from `seed` and `uuid`: the same every run, so a value map whose UUID the
/// destination already gives another template's value map gets one of its own that a rerun finds.
std::string derived_uuid(const std::string& seed, const std::string& uuid);

}  // namespace concierge::zabbix_import
