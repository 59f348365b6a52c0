// swarm-scale: sets a replicated Swarm service's replicas with the spec's version index (retrying
// when another update raced it) and waits until that many tasks run.
#include "scale_request.hpp"
#include "swarm_scaler.hpp"

#include "engine_access.hpp"

#include <concierge/docker/client.hpp>
#include <concierge/sdk/sdk.hpp>

#include <chrono>

namespace {

using namespace concierge;
using std::chrono::milliseconds;

class SwarmScale final : public sdk::Action {
public:
    std::vector<sdk::OptionSpec> options() const override {
        auto options = scaling::scale_options();
        for (auto& spec : swarm::wait_options()) options.push_back(std::move(spec));
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
        auto service = swarm::inspect_replicated(engine, name);
        const std::int64_t actual = *service.replicas;
        const auto target = scaling::target_for(request, actual, bounds, ctx.flag("force"), "service " + name);
        if (!target.note.empty()) ctx.info(target.note);

        if (target.count != actual) {
            swarm::set_replicas(engine, service, target.count);
            scaling::record_scale(ctx, subject, actual, target.count, bounds.max);
        }
        std::string state = "detached";
        std::int64_t running = -1;
        if (const auto timeout = swarm::wait_timeout_from(ctx)) {
            running = swarm::wait_running(ctx, engine, service, target.count, *timeout);
            state = "converged";
        }
        ctx.table({{{"service", "SERVICE"}, {"from", "FROM"}, {"to", "TO"}, {"running", "RUNNING"}, {"state", "STATE"}},
                   {{name, actual, target.count, running < 0 ? sdk::Cell{} : sdk::Cell{running}, state}}});
        ctx.set_summary("service " + name + (target.count == actual ? " already at " : " scaled from " + std::to_string(actual) + " to ") +
                        std::to_string(target.count) + " replicas" + (state == "converged" ? ", all running" : " (not waited for)") +
                        (target.note.empty() ? "" : " (" + target.note + ")"));
    }
};

}  // namespace

CONCIERGE_PLUGIN(SwarmScale, "swarm-scale", "1.0.0", "Scales a replicated Swarm service, checking the current count")
