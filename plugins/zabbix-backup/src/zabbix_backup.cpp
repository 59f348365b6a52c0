// zabbix-backup: a complete, version-aware configuration backup of a Zabbix server, in the
// earlier tool's file set, written atomically and kept as artifacts of the run.
#include "backup_dir.hpp"
#include "export_merge.hpp"
#include "export_plan.hpp"
#include "json_values.hpp"
#include "object_kinds.hpp"

#include <concierge/sdk/sdk.hpp>
#include <concierge/zabbix/client.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <future>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace concierge;
using namespace concierge::zabbix_format;
using sdk::Context;
using sdk::Error;
using sdk::ExitCode;

std::string utc_now() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

class ZabbixBackup final : public sdk::Action {
public:
    std::vector<sdk::OptionSpec> options() const override {
        auto options = zabbix::connection_options();
        options.push_back({.name = "config-dir",
                           .short_name = 'd',
                           .help = "the backup directory, replaced as a whole when the backup is complete",
                           .default_value = "zabbix-backup",
                           .env = "ZBX_CONFIG_DIR"});
        options.push_back({.name = "concurrency",
                           .short_name = 'j',
                           .help = "template export chunks sent at once (the PHP workers the frontend has)",
                           .type = sdk::OptionType::Integer,
                           .default_value = "4",
                           .env = "ZBX_BACKUP_CONCURRENCY"});
        return options;
    }

    std::string description() const override {
        return "Exports templates, host groups, hosts, images and maps (configuration.export), media types, "
               "proxies, global macros, services, SLAs, user roles, user groups, users, scripts, maintenance "
               "periods, discovery rules, correlations, icon maps, dashboards and the actions of all four event "
               "sources, and the name<->id map a restore needs, into the earlier tool's files (and one per kind) "
               "in --config-dir, with a manifest.json of sha256 sums and counts. The "
               "directory is written beside the target and renamed into place only when complete; every "
               "file is also saved as an artifact of the run (concierge history export ID --dir D).";
    }

    void run(Context& ctx) override {
        const auto concurrency = *ctx.get_int("concurrency");
        if (concurrency < 1 || concurrency > 64) throw Error(ExitCode::Usage, "--concurrency must be between 1 and 64");
        // Check the directory before touching the network: a typo fails fast and offline.
        // Another backup to the same directory runs first; Ctrl-C ends the wait.
        StagingDir staging(ctx.get("config-dir", "zabbix-backup"), [&ctx, told = false](const std::string& message) mutable {
            if (!std::exchange(told, true)) ctx.info(message);
            ctx.check_cancelled();
        });
        ctx.remove_on_forced_exit(staging.partial().string());  // holds keys; the next run's sweep is too late
        Backup(ctx, staging, static_cast<std::size_t>(concurrency)).run();
    }

private:
    class Backup {
    public:
        Backup(Context& ctx, StagingDir& staging, std::size_t concurrency)
            : ctx_(ctx), staging_(staging), concurrency_(concurrency), client_(zabbix::settings_from(ctx)) {}

        void run() {
            step("connecting");
            const auto& version = client_.version();
            client_.login();
            ctx_.debug("Zabbix " + version.text + " at " + client_.settings().url);

            step("reading names and ids");
            const auto lists = id_map_lists(version);
            std::string id_map = "{", actions_data = "{";
            std::size_t id_map_count = 0, actions_data_count = 0;
            for (const auto& list : lists) {
                ctx_.check_cancelled();
                const std::string result = client_.call(list.request.method, list.request.params);
                ids_[list.key] = checked_ids(list.request.method, result, list.id_field);
                append_member(id_map, list.key, result);
                id_map_count += ids_[list.key].size();
                if (list.key == "templates" || list.key == "hostgroups") {
                    append_member(actions_data, list.key, result);
                    actions_data_count += ids_[list.key].size();
                }
            }

            const std::size_t templates = export_templates();
            step("exporting host groups");
            const std::string groups =
                call(export_groups(version, ids_["hostgroups"], ids_["templategroups"]));
            const std::size_t hostgroups = count_in_export(groups, version.at_least(6, 2) ? "host_groups" : "groups");
            save(files::hostgroups, groups,
                 hostgroups + (version.at_least(6, 2) ? count_in_export(groups, "template_groups") : 0));

            step("exporting hosts");
            const std::string hosts_json = call(export_hosts(ids_["hosts"]));
            const std::size_t hosts = count_in_export(hosts_json, "hosts");
            save(files::hosts, hosts_json, hosts);

            step("reading media types");
            const std::size_t mediatypes = save_get(files::mediatypes, get_mediatypes(version));
            step("reading users, rights, scripts, services, dashboards and actions");
            std::size_t objects = 0, actions = 0;
            for (const auto& kind : object_kinds(version)) {
                const std::size_t count = save_get(kind.file, kind.get);
                (kind.eventsource >= 0 ? actions : objects) += count;
                remember_references(kind);
            }
            step("exporting images and maps");
            objects += save_export(files::images, export_images(ids_["images"]), "images") +
                       save_export(files::maps, export_maps(ids_["maps"]), "maps");
            step("naming the triggers, items and graphs that actions and dashboards use");
            id_map_count += name_references(id_map);
            save(files::id_map, id_map + "}", id_map_count);
            save(files::actions_data, actions_data + "}", actions_data_count);

            step("writing the manifest");
            const std::string manifest = manifest_json(version.text, utc_now(), staging_.records());
            save(files::manifest, manifest, staging_.records().size());
            ctx_.check_cancelled();
            staging_.commit();
            client_.logout();
            ctx_.progress(total_steps, total_steps, "done");

            report();
            ctx_.set_summary("backed up " + std::to_string(templates) + " templates, " + std::to_string(hostgroups) +
                             " host groups, " + std::to_string(hosts) + " hosts, " + std::to_string(mediatypes) +
                             " media types, " + std::to_string(actions) + " actions, " + std::to_string(objects) +
                             " other objects (users, rights, scripts, services, maps, ...) from Zabbix " + version.text +
                             " to " + staging_.target().string());
        }

    private:
        static constexpr std::uint64_t total_steps = 10;

        void step(const std::string& label) {
            ctx_.check_cancelled();
            ctx_.progress(step_++, total_steps, label);
        }

        std::string call(const Request& request) { return client_.call(request.method, request.params); }

        /// The ids of a *.get answer; each goes into later requests and the id map, so an object
        /// without one, or with one that is not Zabbix's decimal id, is the server's error.
        std::vector<std::string> checked_ids(const std::string& method, const std::string& result, const std::string& id_field) {
            auto ids = ids_of(result, id_field);
            for (std::size_t i = 0; i < ids.size(); ++i) {
                const auto& id = ids[i];
                if (!id.empty() && id.size() <= 20 && std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c); }))
                    continue;
                std::string message = "Zabbix at " + client_.settings().url;
                message.append(": ").append(method).append(" returned an object ");
                if (id.empty()) message.append("without its ").append(id_field);
                else message.append("whose ").append(id_field).append(" '").append(sdk::printable(id.substr(0, 40))).append("' is not an id");
                message.append(" (at index ").append(std::to_string(i)).append(")");
                throw Error(ExitCode::RemoteError, message);
            }
            return ids;
        }

        static void append_member(std::string& object, const std::string& key, const std::string& value_json) {
            if (object.size() > 1) object += ',';
            object += '"' + key + "\":" + value_json;
        }

        /// Writes a file into the staging directory and saves it as an artifact right away, so
        /// no copy of the large exports outlives its step.
        void save(const std::string& name, const std::string& content, std::uint64_t count) {
            ctx_.check_cancelled();
            staging_.write(name, content, count);
            ctx_.artifact(name, content);
        }

        std::size_t save_get(const std::string& name, const Request& request) {
            ctx_.check_cancelled();
            last_get_ = call(request);
            const std::size_t count = count_in_array(last_get_);
            save(name, last_get_, count);
            return count;
        }

        std::size_t save_export(const std::string& name, const Request& request, const std::string& key) {
            ctx_.check_cancelled();
            const std::string document = call(request);
            const std::size_t count = count_in_export(document, key);
            save(name, document, count);
            return count;
        }

        /// Remembers what a restore needs of a kind's objects to name their references: the
        /// actions' trigger conditions, the dashboards' items and graphs, the discovery checks.
        void remember_references(const ObjectKind& kind) {
            collect_referenced_ids(kind, last_get_, referenced_);
            if (kind.key == "drules") dchecks_ = dcheck_name_list(last_get_);
        }

        static std::string dcheck_name_list(const std::string& drules_json) {
            Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
            try {
                add_dchecks(objects_in(drules_json), *out);
            } catch (const Poco::Exception& e) {  // a member missing, or something else where an object should be
                throw Error(ExitCode::RemoteError, "Zabbix answered the discovery rules with an object of the wrong shape: " +
                                                       e.displayText());
            }
            return to_json(out);
        }

        static void add_dchecks(const std::vector<Poco::JSON::Object::Ptr>& rules, Poco::JSON::Array& out) {
            for (const auto& rule : rules) {
                const auto checks = rule->getArray("dchecks");
                for (std::size_t i = 0; checks && i < checks->size(); ++i) {
                    const auto check = checks->getObject(static_cast<unsigned>(i));
                    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
                    entry->set("id", check->getValue<std::string>("dcheckid"));
                    entry->set("name", dcheck_name(rule->getValue<std::string>("name"), check->optValue<std::string>("type", ""),
                                                   check->optValue<std::string>("key_", ""),
                                                   check->optValue<std::string>("ports", "")));
                    out.add(entry);
                }
            }
        }

        /// Appends the composite name lists to the id map; returns how many names.
        std::size_t name_references(std::string& id_map) {
            std::size_t count = 0;
            auto add = [&](const std::string& key, const std::string& list) {
                append_member(id_map, key, list);
                count += count_in_array(list);
            };
            add("dchecks", dchecks_.empty() ? "[]" : dchecks_);
            for (const auto& list : name_lists(referenced_))
                add(list.key, list.request ? composite_name_list(list.kind, call(*list.request)) : "[]");
            return count;
        }

        /// The objects of a *.get answer saved a moment ago.
        static std::vector<Poco::JSON::Object::Ptr> objects_in(const std::string& list_json) {
            return objects_of(parse_array(list_json, "a *.get"));
        }

        /// The template export split into `concurrency` chunks sent at once, merged in chunk order.
        std::size_t export_templates() {
            step("exporting templates");
            const auto chunks = split(ids_["templates"], concurrency_);
            if (chunks.size() <= 1) {
                // One chunk, or no templates at all: the server's own document, byte for byte.
                const std::string document = call(zabbix_format::export_templates(ids_["templates"]));
                const std::size_t count = count_in_export(document, "templates");
                save(files::templates, document, count);
                return count;
            }
            std::vector<std::future<std::string>> pending;
            for (const auto& chunk : chunks) {
                const Request request = zabbix_format::export_templates(chunk);
                pending.push_back(std::async(std::launch::async, [this, request] { return call(request); }));
            }
            // In flight calls cannot be aborted; on Ctrl-C wait for them (at most one chunk's time)
            // and stop before merging. Futures left unread are joined by their destructors.
            ExportMerger merger;
            for (std::size_t i = 0; i < pending.size(); ++i) {
                while (pending[i].wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
                    if (ctx_.cancelled()) {
                        ctx_.info("interrupted: waiting for the template exports in flight to finish");
                        for (auto& future : pending) future.wait();
                        ctx_.check_cancelled();
                    }
                }
                std::string text = pending[i].get();
                ctx_.check_cancelled();
                merger.add(text);
                ctx_.progress(step_ - 1, total_steps,
                              "exporting templates: " + std::to_string(i + 1) + "/" + std::to_string(pending.size()) +
                                  " chunks");
            }
            const std::size_t count = merger.count("templates");
            save(files::templates, std::move(merger).str(), count);
            return count;
        }

        void report() {
            sdk::Table table{{{"file", "FILE"}, {"objects", "OBJECTS"}, {"bytes", "BYTES"}, {"sha256", "SHA256"}}, {}};
            for (const auto& [name, record] : staging_.records())
                table.rows.push_back({name, static_cast<std::int64_t>(record.count),
                                      static_cast<std::int64_t>(record.size), record.sha256.substr(0, 12)});
            ctx_.table(table);
        }

        Context& ctx_;
        StagingDir& staging_;
        std::size_t concurrency_;
        zabbix::Client client_;
        std::map<std::string, std::vector<std::string>> ids_;
        ReferencedIds referenced_;  // the ids actions and dashboards name
        std::string last_get_;  // the last *.get answer saved
        std::string dchecks_;   // the discovery checks' composite names
        std::uint64_t step_ = 0;
    };
};

}  // namespace

CONCIERGE_PLUGIN(ZabbixBackup, "zabbix-backup", "1.0.0",
                 "Backs up a Zabbix server's configuration into a directory and the run's history")
