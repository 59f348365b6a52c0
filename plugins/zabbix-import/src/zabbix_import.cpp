// zabbix-import: restores a zabbix-backup (or the earlier Python tool's backup directory) into a
// Zabbix server, version-aware, writing only what differs, with actions remapped by name.
#include "action_remap.hpp"
#include "backup_set.hpp"
#include "export_diff.hpp"
#include "import_rules.hpp"

#include "export_merge.hpp"
#include "export_plan.hpp"

#include <concierge/sdk/sdk.hpp>
#include <concierge/zabbix/client.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <future>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace concierge;
using namespace concierge::zabbix_import;
using Poco::JSON::Array;
using Poco::JSON::Object;
using sdk::Context;
using sdk::Error;
using sdk::ExitCode;
namespace files = zabbix_backup::files;
namespace json = zabbix::json;

Poco::Dynamic::Var parse(const std::string& text) { return Poco::JSON::Parser().parse(text); }

Array::Ptr parse_array(const std::string& text, const std::string& what) {
    try {
        const auto value = parse(text);
        if (value.type() == typeid(Array::Ptr)) return value.extract<Array::Ptr>();
    } catch (const Poco::Exception&) {
    }
    throw Error(ExitCode::RemoteError, "Zabbix answered " + what + " with something that is not a list");
}

/// A JSON string literal.
std::string quoted(const std::string& text) { return zabbix_backup::to_json(Poco::Dynamic::Var(text)); }

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

/// What one step did; a row of the run's table and of its import-steps.json artifact.
struct Step {
    std::string name{};
    std::string status = "not run";  // done, dry run, failed, not run
    std::int64_t objects = 0, created = 0, updated = 0, unchanged = 0, not_restored = 0;
    double seconds = 0;
    std::string detail{};
};

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
                           .help = "show what would change (configuration.importcompare on 5.4+) and write nothing",
                           .type = sdk::OptionType::Flag});
        options.push_back({.name = "delete-missing",
                           .help = "also delete from each imported template and host what the backup lacks (items, "
                                   "triggers, graphs, rules, links); the earlier tool's force-templates",
                           .type = sdk::OptionType::Flag,
                           .env = "ZBX_IMPORT_DELETE_MISSING,ZBX_FORCE_TEMPLATES"});
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
        return options;
    }

    std::string description() const override {
        return "Restores a backup into a Zabbix server in the order host groups (and template groups), templates, "
               "hosts, media types, actions. Only what differs from the destination is imported: templates and "
               "hosts are compared with an export of the destination, media types and actions by name. Actions "
               "have every id remapped by name; one whose user group, media type or other reference does not exist "
               "at the destination is not written and is listed (exit 13). Nothing is deleted unless "
               "--delete-missing. Every file is checked (and its sha256 against manifest.json) before anything is "
               "sent. Rerunning after a failure completes the restore without duplicates.";
    }

    void run(Context& ctx) override {
        const auto concurrency = *ctx.get_int("concurrency");
        if (concurrency < 1 || concurrency > 64) throw Error(ExitCode::Usage, "--concurrency must be between 1 and 64");
        const auto timeout = *ctx.get_duration("import-timeout");
        if (timeout.count() <= 0) throw Error(ExitCode::Usage, "--import-timeout must be positive");
        // Everything is read and checked before the destination is touched.
        auto backup = ctx.option("from-run") ? BackupSet::from_run(ctx, *ctx.get_int("from-run"))
                                             : BackupSet::from_directory(ctx.get("config-dir", "zabbix-backup"));
        Import(ctx, backup, static_cast<std::size_t>(concurrency), timeout).run();
    }

private:
    class Import {
    public:
        Import(Context& ctx, BackupSet& backup, std::size_t concurrency, std::chrono::milliseconds timeout)
            : ctx_(ctx),
              backup_(backup),
              concurrency_(concurrency),
              import_timeout_(timeout),
              dry_run_(ctx.flag("dry-run")),
              delete_missing_(ctx.flag("delete-missing")),
              templates_("templates", "template"),
              hosts_("hosts", "host") {
            templates_.add(backup_.file(files::templates));
            hosts_.add(backup_.file(files::hosts));
            for (const char* name : {files::reg_actions, files::trigger_actions}) {
                const auto list = parse_array(backup_.file(name), name);
                for (std::size_t i = 0; i < list->size(); ++i)
                    if (const auto action = list->getObject(static_cast<unsigned>(i))) actions_.push_back(action);
            }
            try {
                source_names_.add_id_map(backup_.file(files::id_map));
                source_names_.add_list("mediatypes", backup_.file(files::mediatypes));
            } catch (const Poco::Exception& e) {
                throw Error(ExitCode::InvalidInput, "the id map of " + backup_.origin() + " cannot be read: " + e.displayText());
            }
            steps_ = {{"host groups"}, {"templates"}, {"hosts"}, {"media types"}, {"actions"}};
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
            rules_ = import_rules(version, delete_missing_);
            client_->login();
            ctx_.debug("Zabbix " + version.text + " at " + client_->settings().url);
            if (dry_run_ && !has_importcompare(version))
                ctx_.warn("Zabbix " + version.text + " has no configuration.importcompare: the dry run lists what differs, not how");

            try {
                run_step(0, [this](Step& s) { host_groups(s); });
                run_step(1, [this](Step& s) { templates(s); });
                run_step(2, [this](Step& s) { hosts(s); });
                run_step(3, [this](Step& s) { mediatypes(s); });
                run_step(4, [this](Step& s) { actions(s); });
            } catch (...) {
                report();
                throw;
            }
            client_->logout();
            report();
            summarise(version.text);
            if (!unrestored_.empty()) {
                std::string list;
                for (const auto& line : unrestored_) list += (list.empty() ? "" : "; ") + line;
                throw Error(ExitCode::Partial, std::to_string(unrestored_.size()) + " action(s) not restored: " + list +
                                                   "; create what they name at the destination and rerun");
            }
        }

    private:
        template <class F>
        void run_step(std::size_t index, F&& body) {
            ctx_.check_cancelled();
            Step& step = steps_[index];
            ctx_.progress(index, steps_.size(), step.name);
            const auto start = std::chrono::steady_clock::now();
            try {
                body(step);
                step.status = dry_run_ ? "dry run" : "done";
            } catch (const Error& e) {
                step.status = e.code() == ExitCode::Interrupted ? "interrupted" : "failed";
                step.detail = e.what();
                step.seconds = seconds_since(start);
                // Name the step in the one-line error; what came before it stays imported.
                throw Error(e.code(), step.name + ": " + e.what() +
                                          (index > 0 ? " (the steps before it are done; a rerun skips what is already there)" : ""));
            } catch (const std::exception& e) {
                step.status = "failed";
                step.detail = e.what();
                throw Error(ExitCode::Failure, step.name + ": " + e.what());
            }
            step.seconds = seconds_since(start);
            ctx_.debug(step.name + ": " + std::to_string(step.created) + " created, " + std::to_string(step.updated) +
                       " updated, " + std::to_string(step.unchanged) + " unchanged");
        }

        static double seconds_since(std::chrono::steady_clock::time_point start) {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }

        std::string import_params(const std::string& document) const {
            return R"({"format":"json","rules":)" + rules_ + R"(,"source":)" + quoted(document) + "}";
        }

        /// configuration.import (or importcompare on a dry run) of each document, `concurrency_` at a time.
        /// Returns importcompare's answers on a dry run.
        std::vector<std::string> import_documents(const std::vector<std::string>& documents) {
            const std::string method = dry_run_ ? "configuration.importcompare" : "configuration.import";
            if (dry_run_ && !has_importcompare(client_->version())) return {};
            std::vector<std::string> answers(documents.size());
            for (std::size_t next = 0; next < documents.size();) {
                const std::size_t batch_end = std::min(documents.size(), next + concurrency_);
                std::vector<std::future<std::string>> pending;
                for (std::size_t i = next; i < batch_end; ++i)
                    pending.push_back(std::async(std::launch::async, [this, &method, &documents, i] {
                        return client_->call(method, import_params(documents[i]), import_timeout_);
                    }));
                collect(pending, answers, next);
                next = batch_end;
            }
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
        std::vector<std::string> export_destination(const std::vector<std::string>& ids, bool templates) {
            std::vector<std::string> documents;
            if (ids.empty()) return documents;
            const auto chunks = zabbix_backup::split(ids, templates ? concurrency_ : 1);
            std::vector<std::future<std::string>> pending;
            for (const auto& chunk : chunks) {
                const auto request = templates ? zabbix_backup::export_templates(chunk) : zabbix_backup::export_hosts(chunk);
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
            const auto list = parse_array(client_->call(method, R"({"output":[")" + id_field + R"("]})"), method);
            for (std::size_t i = 0; i < list->size(); ++i) ids.push_back(list->getObject(static_cast<unsigned>(i))->getValue<std::string>(id_field));
            return ids;
        }

        void host_groups(Step& step) {
            const std::string& document = backup_.file(files::hostgroups);
            const auto wanted = group_names(document);
            std::set<std::string> present;
            const bool split_groups = client_->version().at_least(6, 2);
            for (const char* method : {"hostgroup.get", "templategroup.get"}) {
                if (std::string(method) == "templategroup.get" && !split_groups) continue;
                const auto list = parse_array(client_->call(method, R"({"output":["name"]})"), method);
                for (std::size_t i = 0; i < list->size(); ++i) present.insert(list->getObject(static_cast<unsigned>(i))->getValue<std::string>("name"));
            }
            step.objects = static_cast<std::int64_t>(wanted.size());
            std::vector<std::string> missing;
            for (const auto& name : wanted)
                if (!present.count(name)) missing.push_back(name);
            step.unchanged = step.objects - static_cast<std::int64_t>(missing.size());
            if (missing.empty()) return;
            import_documents({document});
            step.created = static_cast<std::int64_t>(missing.size());
            step.detail = describe_names(missing);
        }

        static std::string describe_names(const std::vector<std::string>& names) {
            std::string out;
            for (std::size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
            if (names.size() > 5) out += ", ... (" + std::to_string(names.size()) + ")";
            return out;
        }

        /// Templates or hosts: export the destination's, import the backup's units that differ.
        void units(Step& step, ExportIndex& backup_units, bool templates) {
            const auto ids = templates ? ids_from("template.get", "templateid") : ids_from("host.get", "hostid");
            const auto exported = export_destination(ids, templates);
            ExportIndex destination(templates ? "templates" : "hosts", templates ? "template" : "host");
            for (const auto& document : exported) destination.add(document);
            const auto changed = backup_units.differing(destination);
            step.objects = static_cast<std::int64_t>(backup_units.size());
            std::vector<std::string> names;
            std::set<std::string> present;
            std::int64_t created = 0, updated = 0;
            for (std::size_t i = 0; i < destination.size(); ++i) present.insert(destination.name(i));
            for (const auto unit : changed) {
                names.push_back(backup_units.name(unit));
                ++(present.count(names.back()) ? updated : created);
            }
            step.unchanged = step.objects - static_cast<std::int64_t>(changed.size());
            if (changed.empty()) return;
            const auto documents = backup_units.documents(changed, templates ? concurrency_ : 1);
            const auto answers = import_documents(documents);
            step.created = created;
            step.updated = updated;
            step.detail = describe_names(names);
            if (dry_run_ && !answers.empty()) step.detail = "importcompare: " + compare_summary(answers) + "; " + step.detail;
            if (templates) ctx_.debug("imported " + std::to_string(changed.size()) + " templates in " +
                                      std::to_string(documents.size()) + " concurrent documents");
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

        void templates(Step& step) {
            units(step, templates_, true);
            backup_.release(files::templates);
        }
        void hosts(Step& step) { units(step, hosts_, false); }

        void mediatypes(Step& step) {
            std::map<std::string, Object::Ptr> present;
            const auto existing = parse_array(client_->call("mediatype.get", zabbix_backup::get_mediatypes(client_->version()).params),
                                              "mediatype.get");
            for (std::size_t i = 0; i < existing->size(); ++i) {
                const auto mediatype = existing->getObject(static_cast<unsigned>(i));
                present[mediatype->getValue<std::string>("name")] = mediatype;
            }
            const auto wanted = parse_array(backup_.file(files::mediatypes), files::mediatypes);
            step.objects = static_cast<std::int64_t>(wanted->size());
            std::vector<std::string> written;
            for (std::size_t i = 0; i < wanted->size(); ++i) {
                ctx_.check_cancelled();
                auto fields = restorable_mediatype(wanted->getObject(static_cast<unsigned>(i)));
                const auto name = fields->getValue<std::string>("name");
                const auto found = present.find(name);
                if (found != present.end() &&
                    zabbix_backup::to_json(restorable_mediatype(found->second)) == zabbix_backup::to_json(fields)) {
                    ++step.unchanged;
                    continue;
                }
                written.push_back(name);
                if (found == present.end()) {
                    ++step.created;
                    if (!dry_run_) client_->call("mediatype.create", zabbix_backup::to_json(fields));
                } else {
                    ++step.updated;
                    fields->set("mediatypeid", found->second->getValue<std::string>("mediatypeid"));
                    if (!dry_run_) client_->call("mediatype.update", zabbix_backup::to_json(fields));
                }
            }
            step.detail = describe_names(written);
        }

        void actions(Step& step) {
            NameMap destination;
            for (const auto& list : zabbix_backup::id_map_lists(client_->version())) {
                ctx_.check_cancelled();
                destination.add_list(list.key, client_->call(list.request.method, list.request.params));
            }
            // A dry run created nothing: what the earlier steps would create counts as there.
            if (dry_run_)
                for (const char* kind : {"hostgroups", "templates", "hosts", "mediatypes"}) destination.assume(kind, source_names_, "0");
            std::map<std::string, Object::Ptr> present;
            for (const int source : {0, 2}) {
                const auto list = parse_array(client_->call("action.get", zabbix_backup::get_actions(client_->version(), source).params),
                                              "action.get");
                for (std::size_t i = 0; i < list->size(); ++i) {
                    const auto action = list->getObject(static_cast<unsigned>(i));
                    present[action->getValue<std::string>("name")] = action;
                }
            }
            step.objects = static_cast<std::int64_t>(actions_.size());
            std::vector<std::string> written;
            for (const auto& action : actions_) {
                ctx_.check_cancelled();
                auto restored = restore_action(action, source_names_, destination);
                if (!restored.unmapped.empty()) {
                    std::string refs;
                    for (const auto& missing : restored.unmapped) refs += (refs.empty() ? "" : ", ") + missing.describe();
                    unrestored_.push_back("'" + restored.name + "' names " + refs);
                    ctx_.warn("action '" + restored.name + "' not restored: it names " + refs);
                    ++step.not_restored;
                    continue;
                }
                const auto found = present.find(restored.name);
                if (found != present.end() &&
                    zabbix_backup::to_json(comparable_action(found->second)) == zabbix_backup::to_json(restored.fields)) {
                    ++step.unchanged;
                    continue;
                }
                written.push_back(restored.name);
                if (found == present.end()) {
                    ++step.created;
                    if (!dry_run_) client_->call("action.create", zabbix_backup::to_json(restored.fields));
                } else {
                    ++step.updated;
                    restored.fields->remove("eventsource");  // cannot change
                    restored.fields->set("actionid", found->second->getValue<std::string>("actionid"));
                    if (!dry_run_) client_->call("action.update", zabbix_backup::to_json(restored.fields));
                }
            }
            step.detail = describe_names(written);
            if (step.not_restored) step.detail += (step.detail.empty() ? "" : "; ") + std::to_string(step.not_restored) + " not restored (see the run's error)";
        }

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

        void summarise(const std::string& version) {
            std::int64_t written = 0, unchanged = 0;
            for (const auto& s : steps_) {
                written += s.created + s.updated;
                unchanged += s.unchanged;
            }
            std::string summary = (dry_run_ ? "dry run of " : "restored ") + backup_.origin() + " into Zabbix " + version +
                                  ": " + std::to_string(written) + (dry_run_ ? " objects would be written" : " objects written") +
                                  " (" + std::to_string(steps_[1].created + steps_[1].updated) + " templates, " +
                                  std::to_string(steps_[2].created + steps_[2].updated) + " hosts, " +
                                  std::to_string(steps_[4].created + steps_[4].updated) + " actions), " +
                                  std::to_string(unchanged) + " unchanged";
            if (!unrestored_.empty()) summary += ", " + std::to_string(unrestored_.size()) + " actions not restored";
            ctx_.set_summary(summary);
        }

        Context& ctx_;
        BackupSet& backup_;
        std::size_t concurrency_;
        std::chrono::milliseconds import_timeout_;
        bool dry_run_, delete_missing_;
        ExportIndex templates_, hosts_;
        std::vector<Object::Ptr> actions_;
        NameMap source_names_;
        std::vector<Step> steps_;
        std::vector<std::string> unrestored_;
        std::unique_ptr<zabbix::Client> client_;
        std::string rules_;
    };
};

}  // namespace

CONCIERGE_PLUGIN(ZabbixImport, "zabbix-import", "1.0.0",
                 "Restores a Zabbix backup (a directory or a run in history) into a Zabbix server")
