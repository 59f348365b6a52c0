#include "backup_names.hpp"

#include "destination_names.hpp"
#include "export_plan.hpp"
#include "version_bridge.hpp"
#include "object_kinds.hpp"

#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <utility>
#include <vector>

namespace concierge::zabbix_import {

namespace files = zabbix_format::files;

BackupNames backup_names(const zabbix_format::BackupSet& backup) {
    BackupNames out;
    auto& names = out.names;
    try {
        names.add_id_map(backup.file(files::id_map));
        if (!backup.mediatypes_exported()) names.add_list("mediatypes", backup.file(files::mediatypes));
        // Each kind's own file names its objects best (the id map has only some kinds). Older
        // servers name users by "alias" and proxies by "host".
        for (const auto& kind : zabbix_format::every_object_kind())
            if (backup.has(kind.file))
                for (const std::string& name_field : {kind.name_field, std::string(kind.key == "users" ? "alias" : "host")})
                    names.add_list(kind.key, backup.file(kind.file), kind.id_field, name_field);
        // A pre-6.2 group is a host group and a template group at once: its rights name both.
        if (!version_of(backup.source_version()).at_least(6, 2))
            for (const auto& [name, id] : std::map<std::string, std::string>(names.ids("hostgroups")))
                names.add("templategroups", id, name);
        // The earlier tool's id map names no user groups, users or scripts, yet its actions name the
        // built-in ones (its default action notifies "Zabbix administrators"). A fresh install gives
        // those the same ids everywhere (Zabbix's data.sql), so they can be named by id.
        static const std::map<std::string, std::vector<std::pair<const char*, const char*>>> builtin{
            {"usergroups",
             {{"7", "Zabbix administrators"}, {"8", "Guests"}, {"9", "Disabled"}, {"11", "Enabled debug mode"},
              {"12", "No access to the frontend"}}},
            {"users", {{"1", "Admin"}, {"2", "guest"}}},
            {"scripts", {{"1", "Ping"}, {"2", "Traceroute"}, {"3", "Detect operating system"}}}};
        for (const auto& [kind, objects] : builtin)
            if (names.size(kind) == 0)
                for (const auto& [id, name] : objects) names.add(kind, id, name);
        const auto map = Poco::JSON::Parser().parse(backup.file(files::id_map)).extract<Poco::JSON::Object::Ptr>();
        for (const auto& kind : map->getNames()) {
            const auto list = map->getArray(kind);
            if (!DestinationNames::composite(kind) || !list) continue;
            for (std::size_t i = 0; i < list->size(); ++i)
                if (const auto entry = list->getObject(static_cast<unsigned>(i)); entry && entry->has("key") && entry->has("name"))
                    out.search_keys[kind][entry->getValue<std::string>("name")] = entry->getValue<std::string>("key");
        }
    } catch (const Poco::Exception& e) {
        throw sdk::Error(sdk::ExitCode::InvalidInput, "the id map of " + backup.origin() + " cannot be read: " + e.displayText());
    }
    return out;
}

}  // namespace concierge::zabbix_import
