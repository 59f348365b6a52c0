#include "compose_scaler.hpp"
#include "engine_json.hpp"
#include "scale_request.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <mutex>

namespace concierge::compose {
namespace {

using sdk::Error;
using sdk::ExitCode;

std::string id_in(const std::string& created) {
    try {
        return Poco::JSON::Parser().parse(created).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("Id");
    } catch (const Poco::Exception&) {
        throw Error(ExitCode::RemoteError, "the Docker engine created a container without saying its id");
    }
}

std::vector<std::string> scale_up(sdk::Context& ctx, docker::Client& engine, std::size_t workers, const std::string& project,
                                  const std::string& service, const std::vector<Container>& containers, std::int64_t add,
                                  std::vector<Change>& changes) {
    // The newest replica is the model: it has the project's current config-hash.
    const auto& model = *std::max_element(containers.begin(), containers.end(),
                                          [](const auto& a, const auto& b) { return a.number < b.number; });
    const std::string separator = name_separator(model.name, project, service);
    const std::string inspected = engine.get("/containers/" + engine_json::path_segment(model.id, "container id") + "/json");
    std::vector<CreateSpec> specs;
    std::vector<std::string> names;
    for (std::int64_t i = 1; i <= add; ++i) {
        specs.push_back(clone_spec(inspected, model.number + i));
        names.push_back(replica_name(project, service, separator, model.number + i));
    }
    std::mutex mutex;
    return scaling::parallel_for(ctx, specs.size(), workers, [&](std::size_t i) {
        const std::string created = engine.post("/containers/create?name=" + names[i], specs[i].body);
        const std::string id = engine_json::path_segment(id_in(created), "the new container's id");
        {
            std::lock_guard lock(mutex);
            changes.push_back({names[i], model.number + 1 + static_cast<std::int64_t>(i), "created", id});
        }
        for (const auto& network : specs[i].more_networks)
            engine.post("/networks/" + engine_json::path_segment(network.name, "network name") + "/connect",
                        "{\"Container\":\"" + id + "\",\"EndpointConfig\":" + network.endpoint + "}");
        engine.post("/containers/" + id + "/start");
    });
}

std::vector<std::string> scale_down(sdk::Context& ctx, docker::Client& engine, std::size_t workers,
                                    const std::vector<Container>& containers, std::size_t remove,
                                    std::chrono::seconds stop_timeout, std::vector<Change>& changes) {
    const auto victims = to_remove(containers, remove);
    // Every id checked before the first request: a hostile one stops the run with nothing removed.
    for (const auto& victim : victims) engine_json::path_segment(victim.id, "container id");
    std::mutex mutex;
    return scaling::parallel_for(ctx, victims.size(), workers, [&](std::size_t i) {
        const auto& victim = victims[i];
        engine.post("/containers/" + victim.id + "/stop?t=" + std::to_string(stop_timeout.count()));
        engine.del("/containers/" + victim.id);
        std::lock_guard lock(mutex);
        changes.push_back({victim.name, victim.number, "removed", victim.id});
    });
}

}  // namespace

std::vector<sdk::OptionSpec> pace_options() {
    return {{.name = "stop-timeout", .short_name = 't',
             .help = "on scale-down, how long a container may take to stop before it is killed",
             .type = sdk::OptionType::Duration, .default_value = "10s"},
            {.name = "parallel", .help = "containers created or removed at once", .type = sdk::OptionType::Integer,
             .default_value = "16"}};
}

Pace pace_from(const sdk::Context& ctx) {
    const auto parallel = ctx.get_int("parallel").value_or(16);
    if (parallel < 1 || parallel > 256) throw Error(ExitCode::Usage, "--parallel must be between 1 and 256");
    return {static_cast<std::size_t>(parallel), std::chrono::duration_cast<std::chrono::seconds>(
                                                    ctx.get_duration("stop-timeout").value_or(std::chrono::seconds(10)))};
}

std::vector<Container> list_to_scale(docker::Client& engine, const std::string& project, const std::string& service) {
    try {
        return list(engine, project, service);
    } catch (const Error& e) {
        if (e.code() != ExitCode::NotFound) throw;
        throw Error(ExitCode::NotFound, std::string(e.what()) + ". Scaling clones an existing container of the service, "
                                                                "so there must be one");
    }
}

ScaleOutcome scale(sdk::Context& ctx, docker::Client& engine, const std::string& project, const std::string& service,
                   const std::vector<Container>& containers, std::int64_t target, std::size_t workers,
                   std::chrono::seconds stop_timeout) {
    const auto actual = static_cast<std::int64_t>(containers.size());
    ScaleOutcome outcome;
    if (target > actual)
        outcome.errors = scale_up(ctx, engine, workers, project, service, containers, target - actual, outcome.changes);
    else if (target < actual)
        outcome.errors = scale_down(ctx, engine, workers, containers, static_cast<std::size_t>(actual - target), stop_timeout,
                                    outcome.changes);
    std::sort(outcome.changes.begin(), outcome.changes.end(),
              [](const Change& a, const Change& b) { return a.replica < b.replica; });
    outcome.reached = actual + (target > actual ? 1 : -1) * static_cast<std::int64_t>(outcome.changes.size());
    return outcome;
}

sdk::Table changes_table(const std::vector<Change>& changes) {
    sdk::Table table{{{"name", "NAME"}, {"replica", "REPLICA"}, {"action", "ACTION"}, {"id", "ID"}}, {}};
    for (const auto& c : changes) table.rows.push_back({c.name, c.replica, c.action, c.id.substr(0, 12)});
    return table;
}

}  // namespace concierge::compose
