// compose-scale: scales a Compose service to a count read and checked against the engine, cloning
// new replicas from an existing one as Compose creates them, removing the highest numbers first.
#include "compose.hpp"
#include "scale_request.hpp"

#include "engine_access.hpp"

#include <concierge/docker/client.hpp>
#include <concierge/sdk/sdk.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <mutex>

namespace {

using namespace concierge;
using sdk::Error;
using sdk::ExitCode;

struct Change {
    std::string name;
    std::int64_t replica = 0;
    std::string action;  // created, removed
    std::string id;
};

class ComposeScale final : public sdk::Action {
public:
    std::vector<sdk::OptionSpec> options() const override {
        auto options = scaling::scale_options();
        options.push_back(compose::project_option());
        options.push_back({.name = "stop-timeout", .short_name = 't',
                           .help = "on scale-down, how long a container may take to stop before it is killed",
                           .type = sdk::OptionType::Duration, .default_value = "10s"});
        options.push_back({.name = "parallel", .help = "containers created or removed at once",
                           .type = sdk::OptionType::Integer, .default_value = "16"});
        for (auto& spec : engine_access::options()) options.push_back(std::move(spec));
        return options;
    }

    std::string description() const override {
        return "Scales a Compose service to a count checked against the engine's: with `up|down COMPONENT CURRENT "
               "DELTA` the run is refused (exit 10) when CURRENT is not the actual count, unless --force. New "
               "replicas are cloned from the service's newest container with every Compose label and the next "
               "container-number, created and started in parallel; scale-down stops and removes the highest "
               "numbers first. Runs on the same service wait for each other.";
    }

    void run(sdk::Context& ctx) override {
        const std::string project = compose::project_from(ctx);
        const auto request = scaling::request_from(ctx);
        const auto bounds = scaling::bounds_from(ctx);
        const auto parallel = ctx.get_int("parallel").value_or(16);
        if (parallel < 1 || parallel > 256) throw Error(ExitCode::Usage, "--parallel must be between 1 and 256");
        const auto workers = static_cast<std::size_t>(parallel);
        const std::string& service = request.component;
        const std::string subject = "compose/" + project + "/" + service;
        engine_access::Engine access(ctx, service);
        docker::Client& engine = access.client();

        scaling::ServiceLock lock(ctx, subject);
        scaling::check_cooldown(ctx, subject, ctx.get_duration("cooldown").value_or(std::chrono::milliseconds(0)));
        const auto containers = list_service(engine, project, service);
        const auto actual = static_cast<std::int64_t>(containers.size());
        const auto target = scaling::target_for(request, actual, bounds, ctx.flag("force"), project + "/" + service);
        if (!target.note.empty()) ctx.info(target.note);

        std::vector<Change> changes;
        std::vector<std::string> errors;
        if (target.count > actual)
            errors = scale_up(ctx, engine, workers, project, service, containers, target.count - actual, changes);
        else if (target.count < actual)
            errors = scale_down(ctx, engine, workers, containers, static_cast<std::size_t>(actual - target.count), changes);
        std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.replica < b.replica; });

        sdk::Table table{{{"name", "NAME"}, {"replica", "REPLICA"}, {"action", "ACTION"}, {"id", "ID"}}, {}};
        for (const auto& c : changes) table.rows.push_back({c.name, c.replica, c.action, c.id.substr(0, 12)});
        const std::int64_t now = actual + (target.count > actual ? 1 : -1) * static_cast<std::int64_t>(changes.size());
        if (!changes.empty()) {
            ctx.table(table);
            scaling::record_scale(ctx, subject, actual, now);
        }
        ctx.check_cancelled();
        if (!errors.empty())
            throw Error(ExitCode::RemoteError, project + "/" + service + " is at " + std::to_string(now) + " of " +
                                                   std::to_string(target.count) + " replicas: " + errors.front() +
                                                   (errors.size() > 1 ? " (and " + std::to_string(errors.size() - 1) + " more)" : ""));
        ctx.set_summary(project + "/" + service + (now == actual ? " already at " : " scaled from " + std::to_string(actual) + " to ") +
                        std::to_string(now) + " replicas" + (target.note.empty() ? "" : " (" + target.note + ")"));
    }

private:
    static std::vector<compose::Container> list_service(docker::Client& engine, const std::string& project,
                                                        const std::string& service) {
        try {
            return compose::list(engine, project, service);
        } catch (const Error& e) {
            if (e.code() != ExitCode::NotFound) throw;
            throw Error(ExitCode::NotFound, std::string(e.what()) + ". compose-scale clones an existing container of the "
                                                                    "service, so there must be one");
        }
    }

    static std::vector<std::string> scale_up(sdk::Context& ctx, docker::Client& engine, std::size_t workers,
                                             const std::string& project,
                                             const std::string& service, const std::vector<compose::Container>& containers,
                                             std::int64_t add, std::vector<Change>& changes) {
        // The newest replica is the model: it has the project's current config-hash.
        const auto& model = *std::max_element(containers.begin(), containers.end(),
                                              [](const auto& a, const auto& b) { return a.number < b.number; });
        const std::string separator = compose::name_separator(model.name, project, service);
        const std::string inspected = engine.get("/containers/" + model.id + "/json");
        std::vector<compose::CreateSpec> specs;
        std::vector<std::string> names;
        for (std::int64_t i = 1; i <= add; ++i) {
            specs.push_back(compose::clone_spec(inspected, model.number + i));
            names.push_back(compose::replica_name(project, service, separator, model.number + i));
        }
        std::mutex mutex;
        return scaling::parallel_for(ctx, specs.size(), workers, [&](std::size_t i) {
            const std::string created = engine.post("/containers/create?name=" + names[i], specs[i].body);
            const std::string id = id_in(created);
            {
                std::lock_guard lock(mutex);
                changes.push_back({names[i], model.number + 1 + static_cast<std::int64_t>(i), "created", id});
            }
            for (const auto& network : specs[i].more_networks)
                engine.post("/networks/" + network.name + "/connect",
                            "{\"Container\":\"" + id + "\",\"EndpointConfig\":" + network.endpoint + "}");
            engine.post("/containers/" + id + "/start");
        });
    }

    static std::vector<std::string> scale_down(sdk::Context& ctx, docker::Client& engine, std::size_t workers,
                                               const std::vector<compose::Container>& containers, std::size_t remove,
                                               std::vector<Change>& changes) {
        const auto victims = compose::to_remove(containers, remove);
        const auto stop_seconds = ctx.get_duration("stop-timeout").value_or(std::chrono::seconds(10)).count() / 1000;
        std::mutex mutex;
        return scaling::parallel_for(ctx, victims.size(), workers, [&](std::size_t i) {
            const auto& victim = victims[i];
            engine.post("/containers/" + victim.id + "/stop?t=" + std::to_string(stop_seconds));
            engine.del("/containers/" + victim.id);
            std::lock_guard lock(mutex);
            changes.push_back({victim.name, victim.number, "removed", victim.id});
        });
    }

    static std::string id_in(const std::string& created) {
        try {
            return Poco::JSON::Parser().parse(created).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("Id");
        } catch (const Poco::Exception&) {
            throw Error(ExitCode::RemoteError, "the Docker engine created a container without saying its id");
        }
    }
};

}  // namespace

CONCIERGE_PLUGIN(ComposeScale, "compose-scale", "1.0.0", "Scales a Compose service, checking the current count")
