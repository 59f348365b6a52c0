// compose-scale: scales a Compose service to a count read and checked against the engine, cloning
// new replicas from an existing one as Compose creates them, removing the highest numbers first.
#include "compose_scaler.hpp"
#include "scale_request.hpp"

#include "engine_access.hpp"

#include <concierge/docker/client.hpp>
#include <concierge/sdk/sdk.hpp>

#include <chrono>

namespace {

using namespace concierge;
using sdk::Error;
using sdk::ExitCode;

class ComposeScale final : public sdk::Action {
public:
    std::vector<sdk::OptionSpec> options() const override {
        auto options = scaling::scale_options();
        options.push_back(compose::project_option());
        for (auto& spec : compose::pace_options()) options.push_back(std::move(spec));
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
        const auto pace = compose::pace_from(ctx);
        const std::string& service = request.component;
        const std::string subject = "compose/" + project + "/" + service;
        engine_access::Engine access(ctx, service);
        docker::Client& engine = access.client();

        scaling::ServiceLock lock(ctx, subject);
        scaling::check_cooldown(ctx, subject, ctx.get_duration("cooldown").value_or(std::chrono::milliseconds(0)));
        const auto containers = compose::list_to_scale(engine, project, service);
        const auto actual = static_cast<std::int64_t>(containers.size());
        const auto target = scaling::target_for(request, actual, bounds, ctx.flag("force"), project + "/" + service);
        if (!target.note.empty()) ctx.info(target.note);

        const auto outcome = compose::scale(ctx, engine, project, service, containers, target.count, pace.workers,
                                            pace.stop_timeout);
        const auto& errors = outcome.errors;
        const auto now = outcome.reached;
        if (!outcome.changes.empty()) {
            ctx.table(compose::changes_table(outcome.changes));
            scaling::record_scale(ctx, subject, actual, now, bounds.max);
        }
        ctx.check_cancelled();
        if (!errors.empty())
            throw Error(ExitCode::RemoteError, project + "/" + service + " is at " + std::to_string(now) + " of " +
                                                   std::to_string(target.count) + " replicas: " + errors.front() +
                                                   (errors.size() > 1 ? " (and " + std::to_string(errors.size() - 1) + " more)" : ""));
        ctx.set_summary(project + "/" + service + (now == actual ? " already at " : " scaled from " + std::to_string(actual) + " to ") +
                        std::to_string(now) + " replicas" + (target.note.empty() ? "" : " (" + target.note + ")"));
    }

};

}  // namespace

CONCIERGE_PLUGIN(ComposeScale, "compose-scale", "1.0.0", "Scales a Compose service, checking the current count")
