// The kinds a restore writes through their own API (users, scripts, actions, ... everything but
// the configuration.import kinds): each object of the backup compared by name with the
// destination's in portable form (every reference a name), then created or updated with every
// reference mapped to the destination's ids. An object naming something neither the destination
// has nor this run restores is listed, never written half right. What cannot be read back
// (passwords, PSKs, secret macros) is listed to be set by hand, never invented visibly.
#pragma once

#include "backup_names.hpp"
#include "destination_names.hpp"
#include "restore_step.hpp"
#include "version_bridge.hpp"

#include "backup_set.hpp"
#include "object_kinds.hpp"

#include <concierge/sdk/context.hpp>
#include <concierge/zabbix/client.hpp>

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace concierge::zabbix_import {

/// One object of a kind, and what the restore does with it.
struct Planned {
    enum class Verdict { create, update, unchanged, builtin, unrestorable, by_hand };
    std::string name;
    Verdict verdict = Verdict::unchanged;
    Poco::JSON::Object::Ptr backup;     ///< as the backup has it (the source's ids)
    Poco::JSON::Object::Ptr existing;   ///< the destination's, when it has one
    std::vector<std::string> differing{};  ///< members of the portable forms that differ
    std::vector<std::string> sensitive{};  ///< change classes --allow-changes must name
    std::string why{};                     ///< unrestorable or by hand: what and why
};

/// What the whole run learns from its steps.
struct RestoreLog {
    std::vector<std::string> unrestored{};  ///< "user 'x' names ...": the run ends with exit 13
    std::vector<std::string> attention{};   ///< "password must be set: user x"
    std::uint64_t writes = 0;               ///< anything written; plans hold until the next write
};

class KindRestore {
public:
    /// `restored_by_run` tells whether this run restores a kind (it is neither skipped nor missing).
    KindRestore(sdk::Context& ctx, zabbix::Client& client, const zabbix_format::BackupSet& backup, const BackupNames& source,
                DestinationNames& destination, std::function<bool(const std::string&)> restored_by_run, bool dry_run,
                RestoreLog& log);

    /// What each object of the kind would become. Cached until anything is written.
    const std::vector<Planned>& plan(const zabbix_format::ObjectKind& kind);

    /// Creates and updates what the plan says (on a dry run, only counts), filling the step's row.
    void restore(const zabbix_format::ObjectKind& kind, Step& step);

private:
    struct References {
        std::set<std::string> kinds;
        std::map<std::string, std::set<std::string>> composite;  // kind -> names (backup) or ids (destination)
    };
    void collect_references(const zabbix_format::ObjectKind& kind, const Poco::JSON::Object::Ptr& object, bool from_backup,
                            References& refs) const;
    void resolve_composites(const References& source_refs);
    bool restores(const std::string& kind, const std::string& name) const;
    Planned plan_one(const zabbix_format::ObjectKind& kind, const Poco::JSON::Object::Ptr& object,
                     const std::map<std::string, Poco::JSON::Object::Ptr>& existing);
    Poco::JSON::Object::Ptr destination_form(const zabbix_format::ObjectKind& kind, const Planned& entry,
                                             const Poco::JSON::Object::Ptr& object);
    bool write(const zabbix_format::ObjectKind& kind, const Planned& entry);
    void set_service_parents(const zabbix_format::ObjectKind& kind, const std::vector<const Planned*>& services);
    void wrote(const std::string& kind);

    sdk::Context& ctx_;
    zabbix::Client& client_;
    const zabbix_format::BackupSet& backup_;
    const BackupNames& source_;
    DestinationNames& destination_;
    std::function<bool(const std::string&)> restored_by_run_;
    bool dry_run_;
    RestoreLog& log_;
    std::map<std::string, std::pair<std::uint64_t, std::vector<Planned>>> plans_;  // kind -> (writes + 1, plan)
    zabbix::Version backup_version_;
    GroupIds group_ids_;
};

}  // namespace concierge::zabbix_import
