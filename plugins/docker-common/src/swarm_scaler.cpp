#include "swarm_scaler.hpp"

namespace concierge::swarm {
namespace {

using sdk::Error;
using sdk::ExitCode;

constexpr int update_attempts = 10;

}  // namespace

std::vector<sdk::OptionSpec> wait_options() {
    return {{.name = "detach", .short_name = 'd', .help = "return once the update is accepted, without waiting for tasks",
             .type = sdk::OptionType::Flag},
            {.name = "timeout", .help = "how long to wait for the running tasks to match the count",
             .type = sdk::OptionType::Duration, .default_value = "2m"}};
}

std::optional<std::chrono::milliseconds> wait_timeout_from(const sdk::Context& ctx) {
    if (ctx.flag("detach")) return std::nullopt;
    return ctx.get_duration("timeout").value_or(std::chrono::minutes(2));
}

Service inspect_replicated(docker::Client& engine, const std::string& name) {
    Service service;
    try {
        service = parse_service(engine.get("/services/" + name));
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

void set_replicas(docker::Client& engine, Service& service, std::int64_t replicas) {
    for (int attempt = 1;; ++attempt) {
        const auto answer = engine.request("POST", "/services/" + service.id + "/update?version=" + std::to_string(service.version),
                                           with_replicas(service.spec, replicas));
        if (answer.status < 400) return;
        const std::string message = docker::engine_message(answer);
        if (!is_out_of_sequence(message) || attempt == update_attempts)
            throw docker::ApiError(answer.status, message, "the Docker engine refused to update service " + service.name +
                                                               ": " + message + " (HTTP " + std::to_string(answer.status) + ")");
        service = inspect_replicated(engine, service.name);
    }
}

std::int64_t wait_running(sdk::Context& ctx, docker::Client& engine, const Service& service, std::int64_t replicas,
                          std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto tasks = parse_tasks(engine.get(tasks_path(service.id)));
        std::int64_t running = 0;
        for (const auto& task : tasks) running += task.state == "running";
        ctx.progress(static_cast<std::uint64_t>(running), static_cast<std::uint64_t>(replicas), "tasks running");
        if (converged(tasks, replicas)) return running;
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
        if (ctx.wait_for_cancel(std::chrono::milliseconds(50))) ctx.check_cancelled();
    }
}

}  // namespace concierge::swarm
