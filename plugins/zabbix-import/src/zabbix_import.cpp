// zabbix-import: restores a zabbix-backup (or the earlier Python tool's backup directory) into a
// Zabbix server, version-aware, writing only what differs, every reference remapped by name.
#include "action_remap.hpp"
#include "backup_names.hpp"
#include "change_review.hpp"
#include "destination_names.hpp"
#include "export_diff.hpp"
#include "import_rules.hpp"
#include "kind_restore.hpp"
#include "object_shapes.hpp"
#include "restore_step.hpp"
#include "version_bridge.hpp"

#include "backup_set.hpp"
#include "export_merge.hpp"
#include "export_plan.hpp"
#include "json_values.hpp"
#include "object_kinds.hpp"

#include <concierge/sdk/sdk.hpp>
#include <concierge/zabbix/client.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <sys/random.h>

namespace {

using namespace concierge;
using namespace concierge::zabbix_import;
using Poco::JSON::Array;
using Poco::JSON::Object;
using sdk::Context;
using sdk::Error;
using sdk::ExitCode;
using zabbix_format::BackupSet;
using zabbix_format::objects_of;
using zabbix_format::parse_array;
using zabbix_format::text_of;
using zabbix_format::ObjectKind;
using zabbix_format::Request;
using zabbix_format::to_json;
namespace files = zabbix_format::files;
namespace json = zabbix::json;

Poco::Dynamic::Var parse(const std::string& text) { return Poco::JSON::Parser().parse(text); }




/// A JSON string literal.
std::string quoted(const std::string& text) { return to_json(Poco::Dynamic::Var(text)); }

/// The "name" of every element of each array under zabbix_export (groups of a group export).
std::set<std::string> group_names(std::string_view export_json) {
    std::set<std::string> names;
    const auto inner = json::member(json::value_of(export_json), "zabbix_export");
    for (const auto& member : json::members(*inner)) {
        if (json::kind_of(member.value) != json::Kind::Array) continue;
        for (const auto element : json::elements(member.value))
            if (const auto name = json::member(element, "name"); name && json::kind_of(*name) == json::Kind::String)
                names.insert(json::unescape(*name));
    }
    return names;
}

/// The steps, in restore order: every kind after the kinds its objects name.
const std::vector<std::pair<std::string, std::string>>& step_list() {
    static const std::vector<std::pair<std::string, std::string>> steps{
        {"hostgroups", "host groups"},
        {"templates", "templates"},
        {"proxies", "proxies"},
        {"hosts", "hosts"},
        {"globalmacros", "global macros"},
        {"mediatypes", "media types"},
        {"services", "services"},
        {"slas", "SLAs"},
        {"roles", "user roles"},
        {"usergroups", "user groups"},
        {"users", "users"},
        {"scripts", "scripts"},
        {"maintenances", "maintenance periods"},
        {"drules", "discovery rules"},
        {"correlations", "correlations"},
        {"images", "images"},
        {"iconmaps", "icon maps"},
        {"maps", "maps"},
        {"dashboards", "dashboards"},
        {"trigger_actions", "trigger actions"},
        {"discovery_actions", "discovery actions"},
        {"autoregistration_actions", "autoregistration actions"},
        {"internal_actions", "internal actions"}};
    return steps;
}

/// The steps --only or --skip name: step keys, "actions" for the four action kinds.
std::set<std::string> step_keys(const std::string& option, const std::string& text) {
    std::set<std::string> keys;
    std::string::size_type start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find(',', start), text.size());
        const auto key = text.substr(start, end - start);
        start = end + 1;
        if (key.empty()) continue;
        if (key == "actions") {
            for (const char* source : {"trigger_actions", "discovery_actions", "autoregistration_actions", "internal_actions"})
                keys.insert(source);
            continue;
        }
        const bool known = std::any_of(step_list().begin(), step_list().end(), [&](const auto& s) { return s.first == key; });
        if (!known) {
            std::vector<std::string> all;
            for (const auto& s : step_list()) all.push_back(s.first);
            throw Error(ExitCode::Usage, "--" + option + " names '" + key + "', which is not an object kind; the kinds are " +
                                             joined(all) + " and actions");
        }
        keys.insert(key);
    }
    return keys;
}

class ZabbixImport final : public sdk::Action {
public:
    std::vector<sdk::OptionSpec> options() const override {
        auto options = zabbix::connection_options();
        options.push_back({.name = "config-dir",
                           .short_name = 'd',
                           .help = "the backup directory to restore (zabbix-backup's, or the earlier tool's)",
                           .default_value = "zabbix-backup",
                           .env = "ZBX_CONFIG_DIR"});
        options.push_back({.name = "from-run",
                           .help = "restore the backup kept in history by this zabbix-backup run instead of a directory",
                           .type = sdk::OptionType::Integer});
        options.push_back({.name = "dry-run",
                           .short_name = 'n',
                           .help = "list per object kind what would be created, updated or left alone, and why; write nothing",
                           .type = sdk::OptionType::Flag});
        options.push_back({.name = "only",
                           .help = "restore only these object kinds (comma-separated: hostgroups, templates, users, actions, ...)",
                           .env = "ZBX_IMPORT_ONLY"});
        options.push_back({.name = "skip", .help = "restore everything but these object kinds (comma-separated)", .env = "ZBX_IMPORT_SKIP"});
        options.push_back({.name = "allow-changes",
                           .help = "into a destination with a configuration of its own, allow these changes (comma-separated: "
                                   "mediatypes, commands, permissions, actions, or all); see the dry run",
                           .env = "ZBX_IMPORT_ALLOW_CHANGES"});
        options.push_back({.name = "delete-missing",
                           .help = "also delete from each imported template and host what the backup lacks (items, "
                                   "triggers, graphs, rules, links); the earlier tool's force-templates",
                           .type = sdk::OptionType::Flag,
                           .env = "ZBX_IMPORT_DELETE_MISSING,ZBX_FORCE_TEMPLATES"});
        options.push_back({.name = "prefer-backup-builtins",
                           .help = "into a newer Zabbix, restore the backup's version of the built-in templates the "
                                   "destination ships newer (by default the destination's are kept)",
                           .type = sdk::OptionType::Flag,
                           .env = "ZBX_IMPORT_PREFER_BACKUP_BUILTINS"});
        options.push_back({.name = "concurrency",
                           .short_name = 'j',
                           .help = "template imports and exports sent at once (the PHP workers the frontend has)",
                           .type = sdk::OptionType::Integer,
                           .default_value = "4",
                           .env = "ZBX_IMPORT_CONCURRENCY"});
        options.push_back({.name = "import-timeout",
                           .help = "how long one configuration.import may take",
                           .type = sdk::OptionType::Duration,
                           .default_value = "30m",
                           .env = "ZBX_IMPORT_TIMEOUT"});
        options.push_back({.name = "max-file-size",
                           .help = "the largest backup file read, in MiB",
                           .type = sdk::OptionType::Integer,
                           .default_value = "1024",
                           .env = "ZBX_IMPORT_MAX_FILE_MIB"});
        return options;
    }

    std::string description() const override {
        return "Restores a backup into a Zabbix server, dependencies first: host groups, templates, proxies, hosts, "
               "global macros, media types, services, SLAs, user roles, user groups, users, scripts, maintenance "
               "periods, discovery rules, correlations, images, icon maps, maps, dashboards, then the actions of all "
               "four event sources. Only what differs is written: templates, hosts, images and maps are compared with "
               "an export of the destination, everything else by name, every reference (user group, script, trigger, "
               "item, ...) mapped by name. What cannot be restored (an action naming a user group neither the backup nor "
               "the destination has) is listed by name (exit 13). Users get a random password and proxies a random "
               "PSK, listed as to be set by hand; secret macros are never written. Into a destination with a "
               "configuration of its own, changes to media types, commands, permissions and actions' operations "
               "are refused (exit 10) unless --allow-changes names them. Nothing is deleted unless --delete-missing. "
               "Every file is checked (and its sha256 against manifest.json) before anything is sent.";
    }

    void run(Context& ctx) override {
        const auto concurrency = *ctx.get_int("concurrency");
        if (concurrency < 1 || concurrency > 64) throw Error(ExitCode::Usage, "--concurrency must be between 1 and 64");
        const auto timeout = *ctx.get_duration("import-timeout");
        if (timeout.count() <= 0) throw Error(ExitCode::Usage, "--import-timeout must be positive");
        const auto max_mib = *ctx.get_int("max-file-size");
        if (max_mib < 1 || max_mib > (1 << 20)) throw Error(ExitCode::Usage, "--max-file-size must be between 1 and 1048576 MiB");
        const auto max_bytes = static_cast<std::uint64_t>(max_mib) << 20;
        // Everything is read and checked before the destination is touched.
        auto backup = ctx.option("from-run") ? BackupSet::from_run(ctx, *ctx.get_int("from-run"))
                                             : BackupSet::from_directory(ctx.get("config-dir", "zabbix-backup"), max_bytes);
        Import(ctx, backup, static_cast<std::size_t>(concurrency), timeout).run();
    }

private:
    /// A kind restored through configuration.import: its units compared with an export of the destination.
    struct ExportUnits {
        std::string key, name_member;  ///< the export's list and the member naming a unit
        std::string get_method, id_field;
        std::function<Request(const std::vector<std::string>&)> export_request;
        std::string rules;
        bool concurrent = false;
    };

    class Import {
    public:
        Import(Context& ctx, BackupSet& backup, std::size_t concurrency, std::chrono::milliseconds timeout)
            : ctx_(ctx),
              backup_(backup),
              concurrency_(concurrency),
              import_timeout_(timeout),
              dry_run_(ctx.flag("dry-run")),
              delete_missing_(ctx.flag("delete-missing")),
              prefer_backup_builtins_(ctx.flag("prefer-backup-builtins")),
              templates_("templates", "template"),
              hosts_("hosts", "host") {
            templates_.add(backup_.file(files::templates));
            hosts_.add(backup_.file(files::hosts));
            source_ = backup_names(backup_);
            if (ctx.option("only") && ctx.option("skip")) throw Error(ExitCode::Usage, "give --only or --skip, not both");
            const auto only = ctx.option("only") ? step_keys("only", *ctx.option("only")) : std::set<std::string>{};
            const auto skip = ctx.option("skip") ? step_keys("skip", *ctx.option("skip")) : std::set<std::string>{};
            for (const auto& [key, name] : step_list()) {
                steps_.push_back({key, name});
                if ((!only.empty() && !only.count(key)) || skip.count(key)) steps_.back().status = "skipped";
            }
            const auto allowed = ctx.option("allow-changes");
            for (const auto& name : allowed ? split_list(*allowed) : std::vector<std::string>{}) {
                const auto& classes = change_classes();
                if (name != "all" && std::find(classes.begin(), classes.end(), name) == classes.end())
                    throw Error(ExitCode::Usage, "--allow-changes names '" + name + "'; it takes " + joined(classes) + " or all");
                if (name == "all") allowed_.insert(classes.begin(), classes.end());
                else allowed_.insert(name);
            }
        }

        void run() {
            if (backup_.verified())
                ctx_.debug("restoring " + backup_.origin() + " (Zabbix " + backup_.source_version() +
                           "): every file matches manifest.json");
            else
                ctx_.warn(backup_.origin() + " has no manifest.json (the earlier tool's files): they were checked as "
                          "JSON but cannot be checked against sha256 sums");
            client_ = std::make_unique<zabbix::Client>(zabbix::settings_from(ctx_));
            const auto& version = client_->version();
            refuse_newer_backup(backup_.source_version(), version);
            rules_ = import_rules(version, delete_missing_);
            client_->login();
            ctx_.debug("Zabbix " + version.text + " at " + client_->settings().url);
            if (dry_run_ && !has_importcompare(version))
                ctx_.warn("Zabbix " + version.text + " has no configuration.importcompare: the dry run lists what differs, not how");
            kinds_ = zabbix_format::object_kinds(version);
            kinds_.push_back({"mediatypes", files::mediatypes, "media type", "mediatype", "mediatypeid", "name",
                              zabbix_format::get_mediatypes(version)});
            destination_ = std::make_unique<DestinationNames>(*client_, kinds_);
            kind_restore_ = std::make_unique<KindRestore>(
                ctx_, *client_, backup_, source_, *destination_, [this](const std::string& key) { return selected(key); },
                dry_run_, log_);
            mark_unavailable(version);

            review();
            try {
                for (std::size_t i = 0; i < steps_.size(); ++i) run_step(i);
            } catch (...) {
                report();
                throw;
            }
            client_->logout();
            report();
            summarise(version.text);
            if (!log_.unrestored.empty())
                throw Error(ExitCode::Partial, std::to_string(log_.unrestored.size()) + " object(s) not restored: " +
                                                   joined(log_.unrestored, "; ") +
                                                   "; create what they name at the destination (or restore it too) and rerun");
        }

    private:
        static std::vector<std::string> split_list(const std::string& text) {
            std::vector<std::string> out;
            std::string::size_type start = 0;
            while (start <= text.size()) {
                const auto end = std::min(text.find(',', start), text.size());
                if (end > start) out.push_back(text.substr(start, end - start));
                start = end + 1;
            }
            return out;
        }

        /// Steps whose kind the backup or the destination lacks say so instead of running.
        void mark_unavailable(const zabbix::Version& version) {
            for (auto& step : steps_) {
                if (step.status != "not run" || step.key == "hostgroups" || step.key == "templates" || step.key == "hosts")
                    continue;
                if (step.key == "images" || step.key == "maps") {
                    if (!backup_.has(step.key == "images" ? files::images : files::maps)) step.status = "not in backup";
                } else if (const auto* kind = find(step.key); !kind) {
                    step.status = "not in Zabbix " + version.text;
                } else if (!backup_.has(kind->file)) {
                    step.status = "not in backup";
                }
            }
        }

        const ObjectKind* find(const std::string& key) const { return zabbix_format::find_kind(kinds_, key); }
        /// Whether this run restores a kind: it is neither skipped nor missing, whether or not its step ran yet.
        bool selected(const std::string& key) const {
            for (const auto& step : steps_)
                if (step.key == key) return step.status == "not run" || step.status == "done" || step.status == "dry run";
            return false;
        }

        // ---- review: the sensitive changes, refused before anything is written ----

        /// A destination that holds nothing the backup does not (every host and user there is in the
        /// backup, or is a fresh install's) is being rebuilt from it: nothing of its own can be subverted.
        bool destination_is_new() {
            const auto& names = destination_->with({"hosts", "users"});
            for (const auto& [host, id] : names.ids("hosts"))
                if (host != "Zabbix server" && !source_.names.id_of("hosts", host)) return false;
            for (const auto& [user, id] : names.ids("users"))
                if (user != "Admin" && user != "guest" && !source_.names.id_of("users", user)) return false;
            return true;
        }

        void review() {
            if (destination_is_new()) {
                ctx_.debug("the destination holds nothing the backup does not: every change is allowed");
                return;
            }
            std::map<std::string, std::vector<std::string>> refused;  // change class -> objects
            for (const auto& step : steps_) {
                if (step.status != "not run") continue;
                if (step.key == "mediatypes" && backup_.mediatypes_exported()) {
                    for (const auto& name : differing_existing_units(media_export_units()))
                        if (!allowed_.count(allow::mediatypes)) refused[allow::mediatypes].push_back("media type '" + name + "'");
                    continue;
                }
                const auto* kind = find(step.key);
                if (!kind) continue;
                for (const auto& planned : kind_restore_->plan(*kind))
                    for (const auto& change : planned.sensitive)
                        if (!allowed_.count(change)) refused[change].push_back(kind->label + " '" + planned.name + "'");
            }
            if (refused.empty()) return;
            std::vector<std::string> parts, classes;
            for (const auto& [change, objects] : refused) {
                parts.push_back(change + " (" + describe_names(objects) + ")");
                classes.push_back(change);
            }
            const std::string what = "the destination has a configuration of its own and the backup would change " +
                                     joined(parts, "; ");
            if (dry_run_) {
                // The dry run shows them and goes on: each step marks what needs which flag.
                refusal_ = "a restore would be refused: " + what + "; allow them with --allow-changes=" + joined(classes, ",");
                ctx_.warn(refusal_);
                return;
            }
            for (auto& step : steps_)
                if (step.status == "not run") step.status = "refused";
            report();
            throw Error(ExitCode::Conflict, "refused: " + what + "; check them with --dry-run, then rerun with --allow-changes=" +
                                                joined(classes, ","));
        }

        // ---- the steps ----

        void run_step(std::size_t index) {
            Step& step = steps_[index];
            if (step.status != "not run") return;
            ctx_.check_cancelled();
            ctx_.progress(index, steps_.size(), step.name);
            const auto start = std::chrono::steady_clock::now();
            try {
                if (step.key == "hostgroups") host_groups(step);
                else if (step.key == "templates") units(step, templates_, template_units());
                else if (step.key == "hosts") units(step, hosts_, host_units());
                else if (step.key == "images" || step.key == "maps") export_kind(step);
                else if (step.key == "mediatypes" && backup_.mediatypes_exported()) media_export(step);
                else kind_restore_->restore(*find(step.key), step);
                step.status = dry_run_ ? "dry run" : "done";
            } catch (const Error& e) {
                step.status = e.code() == ExitCode::Interrupted ? "interrupted" : "failed";
                step.detail = e.what();
                step.seconds = seconds_since(start);
                // Name the step in the one-line error; what came before it stays restored.
                throw Error(e.code(), step.name + ": " + e.what() +
                                          (index > 0 ? " (the steps before it are done; a rerun skips what is already there)" : ""));
            } catch (const std::exception& e) {
                // A library's exception: its text alone ("JSON Exception") would not say it is unexpected.
                const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
                step.status = "failed";
                step.detail = poco ? poco->displayText() : e.what();
                throw Error(ExitCode::Failure, step.name + ": stopped on an unexpected error (please report it): " + step.detail);
            }
            step.seconds = seconds_since(start);
            ctx_.debug(step.name + ": " + std::to_string(step.created) + " created, " + std::to_string(step.updated) +
                       " updated, " + std::to_string(step.unchanged) + " unchanged");
        }

        static double seconds_since(std::chrono::steady_clock::time_point start) {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }

        std::string import_params(const std::string& document, const std::string& rules) const {
            return R"({"format":"json","rules":)" + rules + R"(,"source":)" + quoted(document) + "}";
        }

        /// configuration.import (or importcompare on a dry run) of each document, `concurrency_` at a time.
        /// Returns importcompare's answers on a dry run. With `refusals` (one per document), a document
        /// Zabbix refuses is recorded there and the others still go.
        std::vector<std::string> import_documents(const std::vector<std::string>& documents, const std::string& rules,
                                                  std::vector<std::string>* refusals = nullptr) {
            const std::string method = dry_run_ ? "configuration.importcompare" : "configuration.import";
            if (dry_run_ && !has_importcompare(client_->version())) return {};
            std::vector<std::string> answers(documents.size());
            // A 7.0 install starts with an empty id table, and concurrent imports that each insert a
            // table's first id row clash ("Database error occurred"): the first document goes alone.
            const bool first_alone = client_->version().at_least(7, 0);
            for (std::size_t next = 0; next < documents.size();) {
                const std::size_t batch_end = std::min(documents.size(), next + (first_alone && next == 0 ? 1 : concurrency_));
                std::vector<std::future<std::string>> pending;
                for (std::size_t i = next; i < batch_end; ++i)
                    pending.push_back(std::async(std::launch::async, [this, &method, &documents, &rules, refusals, i] {
                        try {
                            return client_->call(method, import_params(documents[i], rules), import_timeout_);
                        } catch (const zabbix::ApiError& e) {
                            if (!refusals) throw;
                            (*refusals)[i] = e.what();
                            return std::string();
                        }
                    }));
                collect(pending, answers, next);
                next = batch_end;
            }
            ++log_.writes;
            return answers;
        }

        /// Waits for calls in flight (they cannot be aborted); the first error wins once all are back.
        void collect(std::vector<std::future<std::string>>& pending, std::vector<std::string>& answers, std::size_t offset) {
            std::exception_ptr failure;
            for (std::size_t i = 0; i < pending.size(); ++i) {
                try {
                    answers[offset + i] = pending[i].get();
                } catch (...) {
                    if (!failure) failure = std::current_exception();
                }
            }
            if (failure) std::rethrow_exception(failure);
            ctx_.check_cancelled();
        }

        /// The destination's configuration.export of these ids, split into concurrent chunks.
        std::vector<std::string> export_destination(const std::vector<std::string>& ids, const ExportUnits& spec) {
            std::vector<std::string> documents;
            if (ids.empty()) return documents;
            const auto chunks = zabbix_format::split(ids, spec.concurrent ? concurrency_ : 1);
            std::vector<std::future<std::string>> pending;
            for (const auto& chunk : chunks) {
                const auto request = spec.export_request(chunk);
                pending.push_back(std::async(std::launch::async, [this, request] {
                    return client_->call(request.method, request.params, import_timeout_);
                }));
            }
            documents.resize(pending.size());
            collect(pending, documents, 0);
            return documents;
        }

        std::vector<std::string> ids_from(const std::string& method, const std::string& id_field) {
            std::vector<std::string> ids;
            for (const auto& object : objects_of(parse_array(client_->call(method, R"({"output":[")" + id_field + R"("]})"), method)))
                ids.push_back(text_of(object, id_field));
            return ids;
        }

        /// The groups a *.get method lists, by name, and their UUIDs' names when `uuids` (6.2+).
        std::set<std::string> names_from(const std::string& method, std::map<std::string, std::string>* uuids = nullptr) {
            std::set<std::string> names;
            const auto params = uuids ? R"({"output":["name","uuid"]})" : R"({"output":["name"]})";
            for (const auto& group : objects_of(parse_array(client_->call(method, params), method))) {
                names.insert(text_of(group, "name"));
                if (uuids) (*uuids)[text_of(group, "uuid")] = text_of(group, "name");
            }
            return names;
        }

        void host_groups(Step& step) {
            std::string document = backup_.file(files::hostgroups);
            std::vector<std::string> missing;
            const bool split_groups = client_->version().at_least(6, 2);
            if (split_groups && !version_of(backup_.source_version()).at_least(6, 2)) {
                // 6.0's groups, split as 6.2+ has them: each checked against its own kind.
                const auto split = zabbix_import::split_groups(document, backup_.file(files::templates), backup_.file(files::hosts));
                std::map<std::string, std::string> host_taken, template_taken;
                for (const auto& [method, wanted, taken] :
                     {std::tuple{"hostgroup.get", &split.host_groups, &host_taken},
                      std::tuple{"templategroup.get", &split.template_groups, &template_taken}}) {
                    const auto present = names_from(method, taken);
                    step.objects += static_cast<std::int64_t>(wanted->size());
                    for (const auto& name : *wanted)
                        if (!present.count(name)) missing.push_back(name);
                }
                document = groups_document(split, host_taken, template_taken);
            } else {
                const auto wanted = group_names(document);
                auto present = names_from("hostgroup.get");
                if (split_groups) present.merge(names_from("templategroup.get"));
                step.objects = static_cast<std::int64_t>(wanted.size());
                for (const auto& name : wanted)
                    if (!present.count(name)) missing.push_back(name);
            }
            step.unchanged = step.objects - static_cast<std::int64_t>(missing.size());
            if (missing.empty()) return;
            import_documents({document}, rules_);
            step.created = static_cast<std::int64_t>(missing.size());
            step.detail = describe_names(missing);
            invalidate("hostgroups");
            invalidate("templategroups");
        }

        ExportUnits template_units() const {
            return {"templates", "template", "template.get", "templateid",
                    [](const auto& ids) { return zabbix_format::export_templates(ids); }, rules_, true};
        }
        ExportUnits host_units() const {
            return {"hosts", "host", "host.get", "hostid", [](const auto& ids) { return zabbix_format::export_hosts(ids); },
                    rules_, false};
        }
        static ExportUnits media_export_units() {
            return {"media_types", "name", "mediatype.get", "mediatypeid",
                    [](const auto& ids) {
                        return Request{"configuration.export",
                                       R"({"format":"json","options":{"mediaTypes":)" + zabbix_format::json_string_array(ids) + "}}"};
                    },
                    import_rules_for("media_types"), false};
        }

        /// What of the destination's units a restore needs besides how they differ.
        struct DestinationUnits {
            std::set<std::string> present, builtin;            // names; builtin: carrying a vendor
            std::set<std::string> builtin_uuids;                 // a built-in renamed since keeps its UUID
            std::map<std::string, std::string> valuemap_owners;  // value map UUID -> unit
        };

        /// The units of `backup_units` that differ from the destination's, read by one export of it.
        std::vector<std::size_t> differing_units(const ExportIndex& backup_units, const ExportUnits& spec,
                                                 DestinationUnits& found) {
            const auto exported = export_destination(ids_from(spec.get_method, spec.id_field), spec);
            ExportIndex destination(spec.key, spec.name_member);
            for (const auto& document : exported) destination.add(document);
            for (std::size_t i = 0; i < destination.size(); ++i) {
                found.present.insert(destination.name(i));
                if (!destination.has_vendor(i)) continue;
                found.builtin.insert(destination.name(i));
                if (const auto uuid = destination.uuid(i); !uuid.empty()) found.builtin_uuids.insert(uuid);
            }
            found.valuemap_owners = destination.valuemap_owners();
            return backup_units.differing(destination);
        }

        /// The names of the backup's units that exist at the destination and differ.
        std::vector<std::string> differing_existing_units(const ExportUnits& spec) {
            ExportIndex backup_units(spec.key, spec.name_member);
            backup_units.add(backup_.file(files::mediatypes));
            DestinationUnits found;
            std::vector<std::string> names;
            for (const auto unit : differing_units(backup_units, spec, found))
                if (found.present.count(backup_units.name(unit))) names.push_back(backup_units.name(unit));
            return names;
        }

        /// Templates, hosts, images, maps, the earlier tool's media types: import the units that differ.
        /// An export of another version never equals the destination's: across versions only what the
        /// destination lacks is written, and its newer built-in templates are kept unless
        /// --prefer-backup-builtins.
        void units(Step& step, ExportIndex& backup_units, const ExportUnits& spec) {
            DestinationUnits found;
            auto changed = differing_units(backup_units, spec, found);
            step.objects = static_cast<std::int64_t>(backup_units.size());
            std::vector<std::string> kept;
            std::vector<std::size_t> preferred;  // built-ins whose backup version --prefer-backup-builtins imports
            const bool across = crosses_versions(backup_units.version(), client_->version());
            if (across) {
                std::erase_if(changed, [&](std::size_t unit) {
                    const auto& name = backup_units.name(unit);
                    const bool builtin = found.builtin.count(name) || found.builtin_uuids.count(backup_units.uuid(unit));
                    if (!builtin) return found.present.count(name) > 0;
                    if (prefer_backup_builtins_) preferred.push_back(unit);
                    else kept.push_back(name);
                    return true;
                });
                backup_units.rekey_valuemaps(found.valuemap_owners);
            }
            std::vector<std::string> names;
            std::int64_t created = 0, updated = 0;
            for (const auto unit : changed) {
                names.push_back(backup_units.name(unit));
                ++(found.present.count(names.back()) ? updated : created);
            }
            step.unchanged = step.objects - static_cast<std::int64_t>(changed.size() + preferred.size());
            if (!kept.empty()) {
                step.detail = "kept the destination's newer built-in version: " + describe_names(kept);
                kept_builtins_.insert(kept_builtins_.end(), kept.begin(), kept.end());
            }
            if (!preferred.empty()) prefer_backup_builtins(step, backup_units, preferred, spec.rules);
            if (changed.empty()) return;
            const auto documents = backup_units.documents(changed, spec.concurrent ? concurrency_ : 1, across);
            const auto answers = import_documents(documents, spec.rules);
            step.created = created;
            step.updated += updated;
            step.detail = describe_names(names) + (step.detail.empty() ? "" : "; " + step.detail);
            if (dry_run_ && !answers.empty()) step.detail = "importcompare: " + compare_summary(answers) + "; " + step.detail;
            for (const char* kind : {"templates", "hosts", "hostgroups", "templategroups", "images", "maps", "mediatypes"})
                invalidate(kind);
            if (spec.key == "templates") backup_.release(files::templates);
        }

        /// The backup's version of the destination's newer built-in templates, one document each: a newer
        /// importer refuses some (their items moved, their inventory links taken), and each refusal is
        /// listed by name (exit 13) while the others are restored.
        void prefer_backup_builtins(Step& step, const ExportIndex& backup_units, const std::vector<std::size_t>& units,
                                    const std::string& rules) {
            std::vector<std::string> documents, refusals(units.size()), restored, refused;
            for (const auto unit : units) documents.push_back(backup_units.documents({unit}, 1, true).at(0));
            import_documents(documents, rules, &refusals);
            // Imports sent at once can clash on a fresh 7.0's id table: what was refused goes again, alone.
            for (std::size_t i = 0; i < units.size(); ++i)
                if (!refusals[i].empty()) {
                    std::vector<std::string> again(1);
                    import_documents({documents[i]}, rules, &again);
                    refusals[i] = again[0];
                }
            for (std::size_t i = 0; i < units.size(); ++i) {
                const auto& name = backup_units.name(units[i]);
                if (refusals[i].empty()) {
                    restored.push_back(name);
                    continue;
                }
                refused.push_back(name);
                log_.unrestored.push_back("template '" + name + "': Zabbix " + client_->version().text +
                                          " refuses the backup's version of its built-in (" + refusals[i] + ")");
                ctx_.warn(log_.unrestored.back());
            }
            step.updated += static_cast<std::int64_t>(restored.size());
            step.not_restored += static_cast<std::int64_t>(refused.size());
            std::vector<std::string> detail;
            if (!restored.empty()) detail.push_back("the backup's built-in version: " + describe_names(restored));
            if (!refused.empty()) detail.push_back("not restored (refused): " + describe_names(refused));
            step.detail = joined(detail, "; ");
        }

        void export_kind(Step& step) {
            const bool images = step.key == "images";
            ExportIndex backup_units(step.key, "name");
            backup_units.add(backup_.file(images ? files::images : files::maps));
            const ExportUnits spec{step.key,
                                   "name",
                                   images ? "image.get" : "map.get",
                                   images ? "imageid" : "sysmapid",
                                   [images](const auto& ids) {
                                       return images ? zabbix_format::export_images(ids) : zabbix_format::export_maps(ids);
                                   },
                                   import_rules_for(step.key),
                                   false};
            units(step, backup_units, spec);
        }

        void media_export(Step& step) {
            ExportIndex backup_units("media_types", "name");
            backup_units.add(backup_.file(files::mediatypes));
            units(step, backup_units, media_export_units());
        }

        /// Counts of importcompare's answer: {"templates":{"added":[],"updated":[],"removed":[]},...}.
        static std::string compare_summary(const std::vector<std::string>& answers) {
            std::map<std::string, std::size_t> counts;
            for (const auto& answer : answers) {
                const auto value = parse(answer);
                if (value.type() != typeid(Object::Ptr)) continue;
                const auto object = value.extract<Object::Ptr>();
                for (const auto& kind : object->getNames()) {
                    const auto changes = object->getObject(kind);
                    if (!changes) continue;
                    for (const auto& change : changes->getNames())
                        if (const auto list = changes->getArray(change)) counts[kind + " " + change] += list->size();
                }
            }
            std::string out;
            for (const auto& [what, count] : counts) out += (out.empty() ? "" : ", ") + std::to_string(count) + " " + what;
            return out.empty() ? "no change" : out;
        }

        void invalidate(const std::string& kind) {
            destination_->invalidate(kind);
            ++log_.writes;
        }

        // ---- the table and the summary ----

        void report() {
            sdk::Table table{{{"step", "STEP"},
                              {"status", "STATUS"},
                              {"objects", "OBJECTS"},
                              {"created", "CREATED"},
                              {"updated", "UPDATED"},
                              {"unchanged", "UNCHANGED"},
                              {"not_restored", "NOT RESTORED"},
                              {"seconds", "SECONDS"},
                              {"detail", "DETAIL"}},
                             {}};
            for (const auto& s : steps_)
                table.rows.push_back({s.name, s.status, s.objects, s.created, s.updated, s.unchanged, s.not_restored,
                                      static_cast<double>(static_cast<std::int64_t>(s.seconds * 10)) / 10, s.detail});
            ctx_.table(table);
            ctx_.artifact("import-steps.json", ctx_.table_json(table));
        }

        std::int64_t written(const std::string& key) const {
            for (const auto& s : steps_)
                if (s.key == key) return s.created + s.updated;
            return 0;
        }

        void summarise(const std::string& version) {
            std::int64_t total = 0, unchanged = 0, actions = 0;
            for (const auto& s : steps_) {
                total += s.created + s.updated;
                unchanged += s.unchanged;
                if (s.key.find("_actions") != std::string::npos) actions += s.created + s.updated;
            }
            std::string summary = (dry_run_ ? "dry run of " : "restored ") + backup_.origin() + " into Zabbix " + version +
                                  ": " + std::to_string(total) + (dry_run_ ? " objects would be written" : " objects written") +
                                  " (" + std::to_string(written("templates")) + " templates, " + std::to_string(written("hosts")) +
                                  " hosts, " + std::to_string(written("users")) + " users, " + std::to_string(actions) +
                                  " actions), " + std::to_string(unchanged) + " unchanged";
            if (!log_.unrestored.empty()) summary += ", " + std::to_string(log_.unrestored.size()) + " not restored";
            if (!kept_builtins_.empty())
                summary += "; kept the destination's newer built-in version of " + std::to_string(kept_builtins_.size()) +
                           " template(s) (--prefer-backup-builtins restores the backup's)";
            if (!log_.attention.empty()) summary += "; by hand: " + joined(log_.attention, "; ");
            if (!refusal_.empty()) summary += "; " + refusal_;
            ctx_.set_summary(summary);
        }

        Context& ctx_;
        BackupSet& backup_;
        std::size_t concurrency_;
        std::chrono::milliseconds import_timeout_;
        bool dry_run_, delete_missing_, prefer_backup_builtins_;
        std::vector<std::string> kept_builtins_;  // the destination's newer built-in templates, kept
        ExportIndex templates_, hosts_;
        BackupNames source_;
        std::vector<Step> steps_;
        std::set<std::string> allowed_;
        std::vector<ObjectKind> kinds_;
        RestoreLog log_;
        std::string refusal_;  // a dry run's: what a restore would refuse
        std::unique_ptr<zabbix::Client> client_;
        std::unique_ptr<DestinationNames> destination_;
        std::unique_ptr<KindRestore> kind_restore_;
        std::string rules_;
    };
};

}  // namespace

CONCIERGE_PLUGIN(ZabbixImport, "zabbix-import", "1.0.0",
                 "Restores a Zabbix backup (a directory or a run in history) into a Zabbix server")
