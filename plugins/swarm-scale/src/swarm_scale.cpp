// swarm-scale: sets a replicated Swarm service's replicas with the spec's version index (retrying
// when another update raced it) and waits until that many tasks run.
#include "scale_request.hpp"
#include "swarm.hpp"

#include "engine_access.hpp"

#include <concierge/docker/client.hpp>
#include <concierge/sdk/sdk.hpp>

#include <chrono>

namespace {

using namespace concierge;
using sdk::Error;
using sdk::ExitCode;
using std::chrono::milliseconds;

constexpr int update_attempts = 10;

class SwarmScale final : public sdk::Action {
public:
    std::vector<sdk::OptionSpec> options() const override {
        auto options = scaling::scale_options();
        options.push_back({.name = "detach", .short_name = 'd', .help = "return once the update is accepted, without waiting for tasks",
                           .type = sdk::OptionType::Flag});
        options.push_back({.name = "timeout", .help = "how long to wait for the running tasks to match the count",
                           .type = sdk::OptionType::Duration, .default_value = "2m"});
        for (auto& spec : engine_access::options()) options.push_back(std::move(spec));
        return options;
    }

    std::string description() const override {
        return "Scales a replicated Swarm service to a count checked against the service's: with `up|down "
               "COMPONENT CURRENT DELTA` the run is refused (exit 10) when CURRENT is not the service's replica "
               "count, unless --force. The update carries the spec's version index and is retried when another "
               "update raced it. Global services are refused. Waits until the running tasks equal the count, or "
               "reports the tasks that did not converge at --timeout; --detach does not wait.";
    }

    void run(sdk::Context& ctx) override {
        const auto request = scaling::request_from(ctx);
        const auto bounds = scaling::bounds_from(ctx);
        const std::string& name = request.component;
        const std::string subject = "swarm/" + name;
        engine_access::Engine access(ctx, name);
        docker::Client& engine = access.client();

        scaling::ServiceLock lock(ctx, subject);
        scaling::check_cooldown(ctx, subject, ctx.get_duration("cooldown").value_or(milliseconds(0)));
        auto service = inspect(engine, name);
        const std::int64_t actual = *service.replicas;
        const auto target = scaling::target_for(request, actual, bounds, ctx.flag("force"), "service " + name);
        if (!target.note.empty()) ctx.info(target.note);

        if (target.count != actual) {
            update(engine, service, target.count);
            scaling::record_scale(ctx, subject, actual, target.count);
        }
        std::string state = "detached";
        std::int64_t running = -1;
        if (!ctx.flag("detach")) {
            running = wait(ctx, engine, service, target.count);
            state = "converged";
        }
        ctx.table({{{"service", "SERVICE"}, {"from", "FROM"}, {"to", "TO"}, {"running", "RUNNING"}, {"state", "STATE"}},
                   {{name, actual, target.count, running < 0 ? sdk::Cell{} : sdk::Cell{running}, state}}});
        ctx.set_summary("service " + name + (target.count == actual ? " already at " : " scaled from " + std::to_string(actual) + " to ") +
                        std::to_string(target.count) + " replicas" + (state == "converged" ? ", all running" : " (not waited for)") +
                        (target.note.empty() ? "" : " (" + target.note + ")"));
    }

private:
    static swarm::Service inspect(docker::Client& engine, const std::string& name) {
        swarm::Service service;
        try {
            service = swarm::parse_service(engine.get("/services/" + name));
        } catch (const docker::ApiError& e) {
            if (e.http_status() == 404)
                throw Error(ExitCode::NotFound, "no Swarm service '" + name + "' on " + engine.endpoint() + " (" +
                                                    e.engine_message() + "); `docker service ls` lists them");
            throw;
        }
        if (!service.replicas)
            throw Error(ExitCode::Conflict, "service " + name + " is a " + service.mode +
                                                " service, which has no replica count to scale; only replicated services can be scaled");
        return service;
    }

    /// Sets the replicas with the version read; when another update got in first, reads again and retries.
    static void update(docker::Client& engine, swarm::Service& service, std::int64_t replicas) {
        for (int attempt = 1;; ++attempt) {
            const auto answer = engine.request("POST", "/services/" + service.id + "/update?version=" + std::to_string(service.version),
                                               swarm::with_replicas(service.spec, replicas));
            if (answer.status < 400) return;
            const std::string message = docker::engine_message(answer);
            if (!swarm::is_out_of_sequence(message) || attempt == update_attempts)
                throw docker::ApiError(answer.status, message, "the Docker engine refused to update service " + service.name +
                                                                   ": " + message + " (HTTP " + std::to_string(answer.status) + ")");
            service = inspect(engine, service.name);
        }
    }

    /// Polls the tasks until `replicas` run; at the timeout, names the ones that do not.
    static std::int64_t wait(sdk::Context& ctx, docker::Client& engine, const swarm::Service& service, std::int64_t replicas) {
        const auto timeout = ctx.get_duration("timeout").value_or(std::chrono::minutes(2));
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto tasks = swarm::parse_tasks(engine.get(swarm::tasks_path(service.id)));
            std::int64_t running = 0;
            for (const auto& task : tasks) running += task.state == "running";
            ctx.progress(static_cast<std::uint64_t>(running), static_cast<std::uint64_t>(replicas), "tasks running");
            if (swarm::converged(tasks, replicas)) return running;
            if (std::chrono::steady_clock::now() >= deadline) {
                std::string stuck;
                for (const auto& task : tasks)
                    if ((task.desired == "running") != (task.state == "running"))
                        stuck += (stuck.empty() ? "" : "; ") + ("task " + std::to_string(task.slot) + " " + task.state +
                                                                " (should be " + task.desired + ")" +
                                                                (task.message.empty() ? "" : ": " + task.message));
                throw Error(ExitCode::Failure, "service " + service.name + " has " + std::to_string(running) + " of " +
                                                   std::to_string(replicas) + " tasks running after " +
                                                   std::to_string(timeout.count() / 1000) + " s" +
                                                   (stuck.empty() ? "" : " (" + stuck + ")") +
                                                   "; the update stands: see `docker service ps " + service.name + "`");
            }
            if (ctx.wait_for_cancel(milliseconds(50))) ctx.check_cancelled();
        }
    }
};

}  // namespace

CONCIERGE_PLUGIN(SwarmScale, "swarm-scale", "1.0.0", "Scales a replicated Swarm service, checking the current count")
