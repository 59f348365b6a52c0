// zabbix-autoscale: scales a Compose or Swarm service from Zabbix items with the Kubernetes HPA's
// algorithm (hpa.hpp). The recommendations and scalings of earlier runs come from the decision
// artifact the previous run saved, so runs from cron share one stabilization window; the count is
// read, decided on and changed under the same lock compose-scale and swarm-scale take.
#include "decision_record.hpp"
#include "hpa.hpp"
#include "item_spec.hpp"
#include "policy_spec.hpp"
#include "replay.hpp"
#include "zabbix_reads.hpp"

#include "compose_scaler.hpp"
#include "engine_access.hpp"
#include "scale_request.hpp"
#include "swarm_scaler.hpp"

#include <concierge/docker/client.hpp>
#include <concierge/sdk/sdk.hpp>
#include <concierge/zabbix/client.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <memory>
#include <sstream>

namespace {

using namespace concierge;
using autoscale::Seconds;
using sdk::Error;
using sdk::ExitCode;

// A positive (or, for the tolerance, non-negative) decimal from a text option.
double number_option(const sdk::Context& ctx, const std::string& name, bool zero_allowed) {
    const std::string text = ctx.get(name);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(value) || value < 0 || (value == 0 && !zero_allowed))
        throw Error(ExitCode::Usage, "--" + name + " '" + text + "' is not a " + (zero_allowed ? "number >= 0" : "positive number"));
    return value;
}

Seconds seconds_option(const sdk::Context& ctx, const std::string& name) {
    return std::chrono::duration_cast<Seconds>(ctx.get_duration(name).value_or(std::chrono::milliseconds(0)));
}

// What the command line asks for, checked before anything is contacted.
struct Policy {
    std::string orchestrator;
    std::string service;
    std::string project;  // compose only
    std::string subject;  // the lock's and the artifact's name
    std::vector<autoscale::ItemRef> items;
    autoscale::TargetKind kind = autoscale::TargetKind::Average;
    double target = 0;
    std::optional<Seconds> max_age;
    autoscale::Input rules;  // everything but now, current and the history
};

Policy policy_from(const sdk::Context& ctx) {
    Policy policy;
    policy.orchestrator = ctx.require("orchestrator");
    policy.service = ctx.require("service");
    if (policy.orchestrator == "compose") {
        policy.project = compose::project_from(ctx);
        policy.subject = "compose/" + policy.project + "/" + policy.service;
    } else if (policy.orchestrator == "swarm") {
        policy.subject = "swarm/" + policy.service;
    } else {
        throw Error(ExitCode::Usage, "ORCHESTRATOR '" + policy.orchestrator + "' is neither compose nor swarm");
    }
    try {
        policy.items = autoscale::parse_items(ctx.require("item"));
    } catch (const std::invalid_argument& e) {
        throw Error(ExitCode::Usage, std::string("--item: ") + e.what());
    }
    const bool average = ctx.option("target").has_value();
    if (average == ctx.option("target-per-replica").has_value())
        throw Error(ExitCode::Usage, "give exactly one of --target (a per-replica average) and --target-per-replica (a total)");
    policy.kind = average ? autoscale::TargetKind::Average : autoscale::TargetKind::Total;
    policy.target = number_option(ctx, average ? "target" : "target-per-replica", false);
    if (ctx.option("max-age")) policy.max_age = seconds_option(ctx, "max-age");

    auto& rules = policy.rules;
    const auto bound = [&ctx](const char* name) {
        const auto value = *ctx.get_int(name);
        if (value < 1 || value > std::numeric_limits<std::int32_t>::max())
            throw Error(ExitCode::Usage, std::string("--") + name + " must be between 1 and 2147483647");
        return static_cast<std::int32_t>(value);
    };
    rules.min_replicas = bound("min");
    rules.max_replicas = bound("max");
    if (rules.max_replicas < rules.min_replicas) throw Error(ExitCode::Usage, "--max is below --min");
    try {
        if (const auto up = ctx.option("scale-up-policy")) rules.scale_up = autoscale::parse_policies(*up, rules.scale_up);
        if (const auto down = ctx.option("scale-down-policy")) rules.scale_down = autoscale::parse_policies(*down, rules.scale_down);
    } catch (const std::invalid_argument& e) {
        throw Error(ExitCode::Usage, std::string("--scale-up-policy/--scale-down-policy: ") + e.what());
    }
    const double tolerance = number_option(ctx, "tolerance", true);
    rules.scale_up.tolerance = rules.scale_down.tolerance = tolerance;
    rules.scale_up.stabilization_window = seconds_option(ctx, "scale-up-window");
    rules.scale_down.stabilization_window = seconds_option(ctx, "scale-down-window");
    return policy;
}

// The state the previous evaluation of this subject left; fails closed, as the cooldown does,
// since history that cannot be read must not look like a first run.
autoscale::State read_state(sdk::Context& ctx, const std::string& subject, std::int64_t& from_run) {
    std::string content;
    const auto status = ctx.read_latest_artifact(autoscale::artifact_name(subject), from_run, content);
    if (!status.ok())
        throw Error(status.code, "cannot read the autoscaler's earlier decisions on " + subject + " from history, so nothing changed: " +
                                     status.message);
    if (from_run == 0) return {};
    try {
        return autoscale::parse_state(content);
    } catch (const std::invalid_argument& e) {
        ctx.warn("the state run " + std::to_string(from_run) + " saved for " + subject + " is unreadable (" + e.what() +
                 "); starting as a first run, which holds scale-down for one window");
        from_run = 0;
        return {};
    }
}

// One orchestrator: the count, read under the lock, and the change to a new count.
class Scaler {
public:
    virtual ~Scaler() = default;
    virtual std::int64_t count() = 0;
    /// Sets `reached` as soon as the count changed, so a failure after that still records it.
    virtual void scale(std::int64_t to, std::optional<std::int64_t>& reached) = 0;
};

class ComposeScaler final : public Scaler {
public:
    ComposeScaler(sdk::Context& ctx, docker::Client& engine, const Policy& policy)
        : ctx_(ctx), engine_(engine), policy_(policy), pace_(compose::pace_from(ctx)) {}
    std::int64_t count() override {
        containers_ = compose::list_to_scale(engine_, policy_.project, policy_.service);
        return static_cast<std::int64_t>(containers_.size());
    }
    void scale(std::int64_t to, std::optional<std::int64_t>& reached) override {
        const auto outcome = compose::scale(ctx_, engine_, policy_.project, policy_.service, containers_, to, pace_.workers,
                                            pace_.stop_timeout);
        reached = outcome.reached;
        if (!outcome.errors.empty())
            throw Error(ExitCode::RemoteError, policy_.subject + " is at " + std::to_string(outcome.reached) + " of " +
                                                   std::to_string(to) + " replicas: " + outcome.errors.front());
    }

private:
    sdk::Context& ctx_;
    docker::Client& engine_;
    const Policy& policy_;
    compose::Pace pace_;
    std::vector<compose::Container> containers_;
};

class SwarmScaler final : public Scaler {
public:
    SwarmScaler(sdk::Context& ctx, docker::Client& engine, const Policy& policy)
        : ctx_(ctx), engine_(engine), policy_(policy), wait_(swarm::wait_timeout_from(ctx)) {}
    std::int64_t count() override {
        service_ = swarm::inspect_replicated(engine_, policy_.service);
        return *service_.replicas;
    }
    void scale(std::int64_t to, std::optional<std::int64_t>& reached) override {
        swarm::set_replicas(engine_, service_, to);
        reached = to;
        if (wait_) swarm::wait_running(ctx_, engine_, service_, to, *wait_);
    }

private:
    sdk::Context& ctx_;
    docker::Client& engine_;
    const Policy& policy_;
    std::optional<std::chrono::milliseconds> wait_;
    swarm::Service service_;
};

sdk::Cell cell(const std::optional<std::int32_t>& value) { return value ? sdk::Cell{std::int64_t{*value}} : sdk::Cell{}; }

sdk::Table decision_table(const autoscale::Evaluation& e, const std::string& action) {
    sdk::Table table{{{"item", "ITEM"}, {"value", "VALUE"}, {"age_s", "AGE_S"}, {"max_age_s", "MAX_AGE_S"}, {"state", "STATE"},
                      {"proposal", "PROPOSAL"}, {"current", "CURRENT"}, {"desired", "DESIRED"}, {"reason", "REASON"},
                      {"action", "ACTION"}},
                     {}};
    for (std::size_t i = 0; i < e.decision.metrics.size(); ++i) {
        const auto& metric = e.decision.metrics[i];
        const auto& sample = metric.sample;
        table.rows.push_back(
            {metric.name, sample ? sdk::Cell{sample->value} : sdk::Cell{},
             sample ? sdk::Cell{std::int64_t{std::chrono::duration_cast<Seconds>(e.input.now - sample->clock).count()}} : sdk::Cell{},
             std::int64_t{e.input.metrics[i].max_age.value_or(Seconds{0}).count()}, std::string(autoscale::to_string(metric.state)),
             cell(metric.desired), std::int64_t{e.decision.current}, std::int64_t{e.decision.desired},
             std::string(autoscale::to_string(e.decision.reason)), action});
    }
    return table;
}

class ZabbixAutoscale final : public sdk::Action {
public:
    std::vector<sdk::OptionSpec> options() const override {
        std::vector<sdk::OptionSpec> options{
            {.name = "orchestrator", .help = "compose or swarm", .required = true, .positional = true},
            {.name = "service", .help = "the Compose service (with --project) or the Swarm service", .required = true,
             .positional = true},
            {.name = "item", .help = "HOST:KEY of a numeric Zabbix item; several as a comma-separated list (commas inside a "
                                     "key's [...] do not split; the option cannot be repeated): the highest proposal wins",
             .required = true},
            {.name = "target", .help = "the items' value is a per-replica average: desired = ceil(current x value / target)"},
            {.name = "target-per-replica", .help = "the items' value is a total: desired = ceil(value / target)"},
            {.name = "min", .help = "never fewer replicas (1 or more)", .type = sdk::OptionType::Integer, .required = true},
            {.name = "max", .help = "never more replicas", .type = sdk::OptionType::Integer, .required = true},
            {.name = "tolerance", .help = "no change while value/target is within 1 +- this", .default_value = "0.1"},
            {.name = "max-age", .help = "a value older than this is stale and never scales down (default: 3x the item's "
                                        "update interval; 5m for items without one, e.g. trapper)",
             .type = sdk::OptionType::Duration},
            {.name = "scale-up-window", .help = "scale up only to the lowest recommendation of this window",
             .type = sdk::OptionType::Duration, .default_value = "0s"},
            {.name = "scale-down-window", .help = "scale down only to the highest recommendation of this window (HPA's 5m)",
             .type = sdk::OptionType::Duration, .default_value = "5m"},
            {.name = "scale-up-policy", .help = "the scale-up rate, as HPA's policies: pods=N/PERIOD, percent=N/PERIOD and "
                                                "select=max|min|disabled, comma-separated (default HPA's: "
                                                "pods=4/15s,percent=100/15s,select=max)"},
            {.name = "scale-down-policy", .help = "the scale-down rate, the same way (default HPA's: percent=100/15s,select=max)"},
            {.name = "dry-run", .help = "decide and record the decision, change nothing", .type = sdk::OptionType::Flag},
            {.name = "replay", .help = "evaluate the policy over the items' history (history.get) from --from to --to every "
                                       "--every, starting at --min replicas; print the decisions, change and record nothing",
             .type = sdk::OptionType::Flag},
            {.name = "from", .help = "with --replay: the first step, UTC: 2026-11-25, 2026-11-25T10:30 or 2026-11-25 10:30:15"},
            {.name = "to", .help = "with --replay: the last step, UTC as --from (default: now)"},
            {.name = "every", .help = "with --replay: the step", .type = sdk::OptionType::Duration, .default_value = "1m"},
            {.name = "watch", .help = "evaluate every DURATION in one process until Ctrl-C (Zabbix or the engine out of "
                                      "reach, or the lock busy, skips one evaluation)",
             .type = sdk::OptionType::Duration},
            compose::project_option(),
            scaling::lock_timeout_option(),
        };
        for (auto* more : {compose::pace_options, swarm::wait_options, engine_access::options})
            for (auto& spec : more()) options.push_back(std::move(spec));
        return options;
    }

    std::string description() const override {
        return "Scales a Compose or Swarm service from Zabbix items with the Kubernetes HorizontalPodAutoscaler's algorithm: "
               "a proposal per item from its last value (item.get), the highest wins; no change within --tolerance; "
               "scale-down held to the highest recommendation of --scale-down-window; rate policies (HPA's defaults: "
               "up 4 pods or 100 % per 15 s, the larger; down 100 % per 15 s); --min/--max. A missing or stale "
               "item never causes a scale-down. The recommendations are kept in history, so runs from cron share "
               "the window. Every evaluation, a no-change and --dry-run included, is saved as the artifact "
               "autoscale/compose/PROJECT/SERVICE or autoscale/swarm/SERVICE (concierge history show RUN). The count "
               "is read, decided on and changed under the lock compose-scale and swarm-scale take, so two "
               "autoscalers, or an autoscaler and an alert, never scale one service twice. --watch DURATION evaluates in "
               "one process until Ctrl-C; --replay evaluates the policy over the items' history and changes and "
               "records nothing.";
    }

    void run(sdk::Context& ctx) override {
        const Policy policy = policy_from(ctx);
        const auto every = ctx.get_duration("watch");
        if (every && *every < std::chrono::seconds(1)) throw Error(ExitCode::Usage, "--watch must be 1s or more");
        if (every && ctx.flag("replay")) throw Error(ExitCode::Usage, "--watch and --replay do not go together");
        zabbix::Client zabbix(zabbix::settings_from(ctx, "zabbix-"));
        zabbix.login();
        if (ctx.flag("replay")) return replay(ctx, policy, zabbix);
        engine_access::Engine access(ctx, policy.service);
        std::unique_ptr<Scaler> scaler;
        if (policy.orchestrator == "compose") scaler = std::make_unique<ComposeScaler>(ctx, access.client(), policy);
        else scaler = std::make_unique<SwarmScaler>(ctx, access.client(), policy);
        std::optional<autoscale::State> carried;
        if (!every) {
            ctx.set_summary(evaluate(ctx, policy, zabbix, *scaler, carried, 0));
            return;
        }
        // One process, one run: each evaluation is its own artifact, the state passes in memory.
        for (int number = 1;; ++number) {
            try {
                const std::string summary = evaluate(ctx, policy, zabbix, *scaler, carried, number);
                ctx.info("evaluation " + std::to_string(number) + ": " + summary);  // a log line for a long-lived process
                ctx.set_summary(summary + " (evaluation " + std::to_string(number) + " of a --watch)");
            } catch (const Error& error) {
                // What the next evaluation may not meet again; anything else ends the watch.
                if (error.code() != ExitCode::Unreachable && error.code() != ExitCode::RemoteError &&
                    error.code() != ExitCode::Conflict)
                    throw;
                ctx.warn("evaluation " + std::to_string(number) + " failed: " + error.what() + "; trying again in " +
                         std::to_string(every->count() / 1000) + " s");
            }
            if (ctx.wait_for_cancel(*every)) ctx.check_cancelled();
        }
    }

private:
    // --replay: no lock, no engine, no artifact; the decisions where the count or the rule changed.
    static void replay(sdk::Context& ctx, const Policy& policy, zabbix::Client& zabbix) {
        const auto time_option = [&ctx](const char* name, std::optional<autoscale::TimePoint> fallback) {
            const auto text = ctx.option(name);
            if (!text && fallback) return *fallback;
            if (!text) throw Error(ExitCode::Usage, std::string("--replay needs --") + name);
            const auto time = autoscale::parse_utc(*text);
            if (!time) throw Error(ExitCode::Usage, std::string("--") + name + " '" + *text + "' is not a UTC time such as 2026-11-25T10:30");
            return *time;
        };
        const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
        const auto from = time_option("from", std::nullopt);
        const auto to = time_option("to", now);
        const auto every = seconds_option(ctx, "every");
        const auto seconds = [](autoscale::TimePoint time) {
            return std::chrono::duration_cast<Seconds>(time.time_since_epoch()).count();
        };
        using Clock = std::chrono::steady_clock;
        const auto read_start = Clock::now();
        auto items = autoscale::read_items(zabbix, policy.items, policy.kind, policy.target, policy.max_age);
        autoscale::Input input = policy.rules;
        std::vector<std::vector<autoscale::Sample>> series;
        for (auto& item : items) {
            // From a max age before the first step, so the first step sees the value it would have seen.
            series.push_back(autoscale::read_history(zabbix, item, seconds(from - *item.metric.max_age), seconds(to)));
            input.metrics.push_back(std::move(item.metric));
        }
        const auto read_end = Clock::now();
        std::vector<autoscale::ReplayStep> steps;
        try {
            steps = autoscale::replay(input, series, from, to, every, input.min_replicas);
        } catch (const std::invalid_argument& error) {
            throw Error(ExitCode::Usage, error.what());
        }
        const auto evaluated = Clock::now();
        std::size_t values_read = 0;
        for (const auto& values : series) values_read += values.size();
        const auto ms = [](Clock::duration d) {
            char text[32];
            std::snprintf(text, sizeof text, "%.1f", std::chrono::duration<double, std::milli>(d).count());
            return std::string(text);
        };

        sdk::Table table{{{"time", "TIME"}, {"current", "CURRENT"}, {"raw_desired", "RAW_DESIRED"}, {"desired", "DESIRED"},
                          {"reason", "REASON"}, {"values", "VALUES"}},
                         {}};
        std::size_t scalings = 0;
        std::int32_t lowest = input.min_replicas, highest = input.min_replicas;
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const auto& d = steps[i].decision;
            scalings += d.desired != d.current;
            lowest = std::min(lowest, d.desired);
            highest = std::max(highest, d.desired);
            const bool shown = i == 0 || i + 1 == steps.size() || d.desired != d.current ||
                               d.reason != steps[i - 1].decision.reason;
            if (!shown) continue;
            std::ostringstream values;  // each item's value, and its state unless valid
            for (const auto& metric : d.metrics) {
                if (&metric != &d.metrics.front()) values << ", ";
                if (metric.sample) values << metric.sample->value;
                if (metric.state != autoscale::MetricState::Valid) values << (metric.sample ? " " : "") << autoscale::to_string(metric.state);
            }
            table.rows.push_back({autoscale::format_utc(steps[i].time), std::int64_t{d.current}, cell(d.raw_desired),
                                  std::int64_t{d.desired}, std::string(autoscale::to_string(d.reason)), values.str()});
        }
        ctx.table(table);
        // The phases, for the benchmark's "excluding the API read" (bench/autoscale.sh): --verbose shows it.
        ctx.debug("replay phases: read " + std::to_string(values_read) + " values (item.get, history.get) in " + ms(read_end - read_start) +
                  " ms; evaluated " + std::to_string(steps.size()) + " steps in " + ms(evaluated - read_end) + " ms; table in " +
                  ms(Clock::now() - evaluated) + " ms");
        ctx.set_summary("replayed " + policy.subject + ": " + std::to_string(steps.size()) + " steps from " +
                        autoscale::format_utc(from) + " to " + autoscale::format_utc(to) + ", " + std::to_string(scalings) +
                        " scalings, " + std::to_string(lowest) + " to " + std::to_string(highest) + " replicas; nothing changed");
    }

    // One evaluation: the items, then under the lock the state, the count, the decision, the scale
    // and the record. `carried` is the state of the previous evaluation of a --watch (else it is read
    // from history and filled in); `number` names that evaluation's artifact (0: not a watch).
    std::string evaluate(sdk::Context& ctx, const Policy& policy, zabbix::Client& zabbix, Scaler& scaler,
                         std::optional<autoscale::State>& carried, int number) {
        const bool dry_run = ctx.flag("dry-run");
        auto items = autoscale::read_items(zabbix, policy.items, policy.kind, policy.target, policy.max_age);
        scaling::ServiceLock lock(ctx, policy.subject);
        autoscale::Evaluation e{policy.subject, policy.items, policy.rules, {}, dry_run, 0, std::nullopt, {}};
        if (!carried) carried = read_state(ctx, policy.subject, e.state_from_run);
        const autoscale::State earlier = *carried;
        const std::int64_t current = scaler.count();
        e.input.now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
        e.input.current = static_cast<std::int32_t>(std::min<std::int64_t>(current, std::numeric_limits<std::int32_t>::max()));
        for (auto& item : items) e.input.metrics.push_back(std::move(item.metric));
        e.input.recommendations = earlier.recommendations;
        e.input.events = earlier.events;
        try {
            e.decision = autoscale::decide(e.input);
        } catch (const std::invalid_argument& error) {
            throw Error(ExitCode::Usage, error.what());
        }

        std::exception_ptr failure;
        if (!dry_run && e.decision.desired != current) {
            try {
                scaler.scale(e.decision.desired, e.reached);
            } catch (...) {
                failure = std::current_exception();
            }
        }
        std::optional<autoscale::ScaleEvent> done;
        if (e.reached && *e.reached != current) {
            done = autoscale::ScaleEvent{e.input.now, e.input.current, static_cast<std::int32_t>(*e.reached)};
            scaling::record_scale(ctx, policy.subject, current, *e.reached);
        }
        // A dry run passes the state on untouched: its recommendations must not steer the real runs.
        e.state = dry_run ? earlier : autoscale::carry_forward(earlier, e.input, e.decision, done);
        carried = e.state;
        const std::string record = autoscale::record_json(e);
        const std::string name = autoscale::artifact_name(policy.subject);
        if (number > 0) ctx.artifact(name + "#" + std::to_string(number), record);
        ctx.artifact(name, record);  // the newest, which the next run reads its state from
        if (failure) std::rethrow_exception(failure);

        const std::string action = dry_run ? "dry-run" : e.reached ? "scaled" : "unchanged";
        ctx.table(decision_table(e, action));
        return policy.subject + " " + autoscale::summary(e.decision) +
               (dry_run ? " [dry run: nothing changed]" : e.reached ? " [scaled]" : "");
    }
};

}  // namespace

CONCIERGE_PLUGIN(ZabbixAutoscale, "zabbix-autoscale", "1.0.0", "Scales a Compose or Swarm service from Zabbix items, as Kubernetes' HPA")
