#include "kind_restore.hpp"

#include "change_review.hpp"
#include "object_shapes.hpp"
#include "version_bridge.hpp"

#include "export_merge.hpp"
#include "json_values.hpp"

#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <sys/random.h>

namespace concierge::zabbix_import {

using Poco::JSON::Array;
using Poco::JSON::Object;
using sdk::Error;
using sdk::ExitCode;
using zabbix_format::ObjectKind;
using zabbix_format::objects_of;
using zabbix_format::parse_array;
using zabbix_format::text_of;
using zabbix_format::to_json;

namespace {




bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

bool uses_psk(const Object::Ptr& proxy) {
    return text_of(proxy, "tls_connect") == "2" || (std::atoi(text_of(proxy, "tls_accept").c_str()) & 2);
}

/// Random text from the kernel's generator: passwords and PSKs that are never printed or stored.
std::string random_text(std::size_t length, const std::string& alphabet) {
    std::string out;
    unsigned char byte = 0;
    while (out.size() < length) {
        if (::getrandom(&byte, 1, 0) != 1) throw Error(ExitCode::Failure, "the system's random generator failed");
        // Reject the top of the range so every character is equally likely.
        if (byte < 256 - 256 % alphabet.size()) out += alphabet[byte % alphabet.size()];
    }
    return out;
}

std::string lowercase(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

/// A strong random password Zabbix accepts for this user: it refuses one that contains the
/// user's name, surname or username in any case (a 2-letter name turns up in ~2% of draws).
std::string user_password(const Object::Ptr& user) {
    while (true) {
        const auto password = random_text(24, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.!%");
        const auto folded = lowercase(password);
        bool clean = true;
        for (const char* field : {"username", "name", "surname"}) {
            const auto value = lowercase(text_of(user, field));
            if (!value.empty() && folded.find(value) != std::string::npos) clean = false;
        }
        if (clean) return password;
    }
}

}  // namespace

KindRestore::KindRestore(sdk::Context& ctx, zabbix::Client& client, const zabbix_format::BackupSet& backup,
                         const BackupNames& source, DestinationNames& destination,
                         std::function<bool(const std::string&)> restored_by_run, bool dry_run, RestoreLog& log)
    : ctx_(ctx),
      client_(client),
      backup_(backup),
      source_(source),
      destination_(destination),
      restored_by_run_(std::move(restored_by_run)),
      dry_run_(dry_run),
      log_(log),
      backup_version_(version_of(backup.source_version())) {
    // A pre-6.2 backup's user group rights go to the host groups and template groups its groups become.
    if (backup_version_.at_least(6, 2) || !client.version().at_least(6, 2)) return;
    const auto split = split_groups(backup.file(zabbix_format::files::hostgroups),
                                    backup.file(zabbix_format::files::templates), backup.file(zabbix_format::files::hosts));
    for (const auto& [names, ids] : {std::pair{&split.host_groups, &group_ids_.host_groups},
                                     std::pair{&split.template_groups, &group_ids_.template_groups}})
        for (const auto& name : *names)
            if (const auto* id = source_.names.id_of("hostgroups", name)) ids->insert(*id);
}

void KindRestore::wrote(const std::string& kind) {
    destination_.invalidate(kind);
    ++log_.writes;
}

const std::vector<Planned>& KindRestore::plan(const ObjectKind& kind) {
    auto& cached = plans_[kind.key];
    if (cached.first == log_.writes + 1) return cached.second;
    auto wanted = objects_of(parse_array(backup_.file(kind.file), kind.file));
    for (auto& object : wanted) object = upgraded(kind.key, backup_version_, client_.version(), object, group_ids_);
    const auto existing = objects_of(parse_array(client_.call(kind.get.method, kind.get.params), kind.get.method));

    // Name every reference: the destination's lists, and its composite objects by id.
    References source_refs, destination_refs;
    for (const auto& object : wanted) collect_references(kind, object, true, source_refs);
    for (const auto& object : existing) collect_references(kind, object, false, destination_refs);
    std::set<std::string> needed = source_refs.kinds;
    needed.insert(destination_refs.kinds.begin(), destination_refs.kinds.end());
    destination_.with(needed);
    for (const auto& [composite, ids] : destination_refs.composite)
        destination_.resolve_ids(composite, {ids.begin(), ids.end()});
    resolve_composites(source_refs);

    std::map<std::string, Object::Ptr> by_name;
    for (const auto& object : existing) by_name[text_of(object, kind.name_field)] = object;
    std::vector<Planned> out;
    for (const auto& object : wanted) out.push_back(plan_one(kind, object, by_name));
    cached = {log_.writes + 1, std::move(out)};
    return cached.second;
}

/// Records the kinds `object`'s references name; composite ones by the backup's name for
/// an object of the backup, by id for one of the destination.
void KindRestore::collect_references(const ObjectKind& kind, const Object::Ptr& object, bool from_backup, References& refs) const {
    restorable(kind, client_.version(), object, [&](const std::string& ref_kind, const std::string& id) {
        refs.kinds.insert(ref_kind);
        if (DestinationNames::composite(ref_kind)) {
            const std::string* name = from_backup ? source_.names.name_of(ref_kind, id) : &id;
            if (name) refs.composite[ref_kind].insert(*name);
        }
        return id;
    });
}

/// Finds the destination's triggers, items and graphs the backup's objects name.
void KindRestore::resolve_composites(const References& source_refs) {
    for (const auto& [kind, names] : source_refs.composite) {
        std::set<std::string> keys;
        const auto searched = source_.search_keys.find(kind);
        if (searched == source_.search_keys.end()) continue;
        for (const auto& name : names)
            if (const auto found = searched->second.find(name); found != searched->second.end()) keys.insert(found->second);
        destination_.resolve_keys(kind, {keys.begin(), keys.end()});
    }
}

/// Whether this run creates an object of `kind` named `name` before it is needed.
bool KindRestore::restores(const std::string& kind, const std::string& name) const {
    if (!source_.names.id_of(kind, name)) return false;
    if (kind == "templategroups") return restored_by_run_("hostgroups");
    if (DestinationNames::composite(kind)) return restored_by_run_("templates") || restored_by_run_("hosts");
    if (kind == "dchecks") return restored_by_run_("drules");
    return restored_by_run_(kind);
}

Planned KindRestore::plan_one(const ObjectKind& kind, const Object::Ptr& object,
                              const std::map<std::string, Object::Ptr>& existing) {
    const auto& version = client_.version();
    Planned planned{.name = text_of(object, kind.name_field), .backup = object, .existing = nullptr};
    if (is_builtin(kind, planned.name)) {
        planned.verdict = Planned::Verdict::builtin;
        return planned;
    }
    std::vector<std::string> problems;
    auto problem = [&problems](const std::string& text) {
        if (std::find(problems.begin(), problems.end(), text) == problems.end()) problems.push_back(text);
    };
    const auto portable = restorable(kind, version, object, [&](const std::string& ref_kind, const std::string& id) {
        const std::string* name = source_.names.name_of(ref_kind, id);
        if (!name) {
            problem(kind_label(ref_kind) + " id " + id + " (the backup has no name for it)");
            return "?" + id;
        }
        if (!destination_.names().id_of(ref_kind, *name) && !restores(ref_kind, *name) && *name != planned.name)
            problem(kind_label(ref_kind) + " '" + *name + "' (the destination lacks it and this run does not restore it)");
        return *name;
    });
    if (!problems.empty()) {
        planned.verdict = Planned::Verdict::unrestorable;
        planned.why = "names " + joined(problems);
        return planned;
    }
    const auto found = existing.find(planned.name);
    planned.existing = found == existing.end() ? nullptr : found->second;
    // Secret values cannot be read: never written, set by hand where the destination lacks them.
    if (kind.key == "globalmacros" && text_of(object, "type") == "1" && !planned.existing) {
        planned.verdict = Planned::Verdict::by_hand;
        planned.why = "secret value must be re-entered";
        return planned;
    }
    Object::Ptr before;
    if (planned.existing) {
        before = restorable(kind, version, planned.existing, [&](const std::string& ref_kind, const std::string& id) {
            const std::string* name = destination_.names().name_of(ref_kind, id);
            return name ? *name : "#" + id;
        });
        if (crosses_versions(backup_version_.text, version)) drop_newer_only(kind.key, portable, before);
        planned.differing = differing_members(portable, before);
        // A member only the destination has (its newer version added it) is not the backup's to change.
        std::erase_if(planned.differing, [&](const std::string& member) { return !portable->has(member); });
        if (kind.key == "globalmacros" && text_of(object, "type") == "1")
            planned.differing.erase(std::remove(planned.differing.begin(), planned.differing.end(), "value"),
                                    planned.differing.end());
        planned.verdict = planned.differing.empty() ? Planned::Verdict::unchanged : Planned::Verdict::update;
    } else {
        planned.verdict = Planned::Verdict::create;
    }
    if (planned.verdict != Planned::Verdict::unchanged) planned.sensitive = sensitive_changes(kind.key, portable, before);
    return planned;
}

void KindRestore::restore(const ObjectKind& kind, Step& step) {
    const auto planned = plan(kind);  // a copy: writing invalidates the cache
    step.objects = static_cast<std::int64_t>(planned.size());
    std::vector<std::string> created, updated, by_hand, not_restored;
    std::vector<const Planned*> parents_to_set;
    for (const auto& entry : planned) {
        ctx_.check_cancelled();
        switch (entry.verdict) {
            case Planned::Verdict::builtin:
            case Planned::Verdict::unchanged: ++step.unchanged; continue;
            case Planned::Verdict::unrestorable:
                ++step.not_restored;
                not_restored.push_back(entry.name);
                log_.unrestored.push_back(kind.label + " '" + entry.name + "' " + entry.why);
                ctx_.warn(kind.label + " '" + entry.name + "' not restored: it " + entry.why);
                continue;
            case Planned::Verdict::by_hand:
                ++step.not_restored;
                by_hand.push_back(entry.name);
                log_.attention.push_back(entry.why + ": " + kind.label + " " + entry.name);
                continue;
            case Planned::Verdict::create:
            case Planned::Verdict::update: break;
        }
        const bool create = entry.verdict == Planned::Verdict::create;
        auto& names = create ? created : updated;
        names.push_back(entry.name + (create ? "" : " (" + joined(entry.differing) + ")") +
                        (entry.sensitive.empty() ? "" : " [" + joined(entry.sensitive) + "]"));
        ++(create ? step.created : step.updated);
        if (kind.key == "users" && create) log_.attention.push_back("password must be set: user " + entry.name);
        if (kind.key == "proxies" && create && uses_psk(entry.backup))
            log_.attention.push_back("PSK must be re-entered: proxy " + entry.name);
        if (kind.key == "services" && (create || has(entry.differing, "parents"))) parents_to_set.push_back(&entry);
        if (dry_run_) continue;
        if (!write(kind, entry)) {
            --(create ? step.created : step.updated);
            names.pop_back();
            ++step.not_restored;
            not_restored.push_back(entry.name);
        }
    }
    if (!parents_to_set.empty() && !dry_run_) set_service_parents(kind, parents_to_set);
    std::vector<std::string> detail;
    if (!created.empty()) detail.push_back((dry_run_ ? "would create: " : "created: ") + describe_names(created));
    if (!updated.empty()) detail.push_back((dry_run_ ? "would update: " : "updated: ") + describe_names(updated));
    if (!not_restored.empty()) detail.push_back("not restored: " + describe_names(not_restored));
    if (!by_hand.empty()) detail.push_back("must be re-entered: " + describe_names(by_hand));
    if (kind.key == "users" && !created.empty()) detail.push_back("password must be set: " + describe_names(created));
    step.detail = joined(detail, "; ");
}



/// The object as the destination takes it, every reference its id there; null (and the
/// object listed) when a reference cannot be mapped.
Object::Ptr KindRestore::destination_form(const ObjectKind& kind, const Planned& entry, const Object::Ptr& object) {
    // The lists this kind's writes (or a service's parents) made stale are read again; the
    // composite names were resolved by plan(), and nothing since wrote a template or host.
    References refs;
    collect_references(kind, object, true, refs);
    destination_.with(refs.kinds);
    std::vector<std::string> missing;
    auto fields = restorable(kind, client_.version(), object, [&](const std::string& ref_kind, const std::string& id) {
        const std::string* name = source_.names.name_of(ref_kind, id);
        const std::string* mapped = name ? destination_.names().id_of(ref_kind, *name) : nullptr;
        if (mapped) return *mapped;
        missing.push_back(kind_label(ref_kind) + " '" + (name ? *name : id) + "'");
        return id;
    });
    if (missing.empty()) return fields;
    log_.unrestored.push_back(kind.label + " '" + entry.name + "' names " + joined(missing) + ", which the destination lacks");
    ctx_.warn(log_.unrestored.back());
    return nullptr;
}

/// Creates or updates one object; false when it could not be mapped.
bool KindRestore::write(const ObjectKind& kind, const Planned& entry) {
    // A service's parents are linked once every service exists (set_service_parents).
    auto object = entry.backup;
    if (kind.key == "services") {
        object = Poco::JSON::Parser().parse(to_json(entry.backup)).extract<Object::Ptr>();
        object->remove("parents");
    }
    auto fields = destination_form(kind, entry, object);
    if (!fields) return false;
    if (entry.verdict == Planned::Verdict::create) {
        if (kind.key == "users")
            fields->set("passwd", user_password(fields));
        if (kind.key == "proxies" && uses_psk(entry.backup)) {
            // The PSK cannot be read back; a random one keeps the proxy encrypted until it is set by hand.
            fields->set("tls_psk_identity", "concierge-restored-" + random_text(12, "0123456789abcdef"));
            fields->set("tls_psk", random_text(64, "0123456789abcdef"));
        }
        client_.call(kind.create(), to_json(fields));
    } else {
        // Only what differs, so nothing the destination keeps (a user's own role) is touched.
        Object::Ptr update = new Object;
        update->set(kind.id_field, text_of(entry.existing, kind.id_field));
        for (const auto& member : entry.differing)
            if (fields->has(member)) update->set(member, fields->get(member));
        if (kind.key == "scripts")
            for (const char* member : {"type", "scope"}) update->set(member, fields->get(member));
        if (update->size() > 1) client_.call(kind.update(), to_json(update));
    }
    wrote(kind.key);
    return true;
}

/// Services name their parents, which may be created after them: linked once all exist.
void KindRestore::set_service_parents(const ObjectKind& kind, const std::vector<const Planned*>& services) {
    for (const auto* entry : services) {
        auto fields = destination_form(kind, *entry, entry->backup);
        if (!fields) continue;
        const std::string* id = destination_.with({"services"}).id_of("services", entry->name);
        if (!id) continue;
        Object::Ptr update = new Object;
        update->set("serviceid", *id);
        update->set("parents", fields->has("parents") ? fields->get("parents") : Poco::Dynamic::Var(Array::Ptr(new Array)));
        client_.call("service.update", to_json(update));
    }
    wrote("services");
}

}  // namespace concierge::zabbix_import
