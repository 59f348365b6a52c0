// The HPA replica algorithm; the header names the sources and the differences.
#include "hpa.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace concierge::autoscale {

using namespace std::chrono_literals;

namespace {

// HPA's API validation limits (pkg/apis/autoscaling/validation).
constexpr Seconds max_period = 1800s;
constexpr Seconds max_stabilization_window = 3600s;

void require(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument(message);
}

void validate(const ScalingRules& rules, const std::string& side) {
    require(rules.stabilization_window >= 0s && rules.stabilization_window <= max_stabilization_window,
            side + " stabilization window must be 0 to 3600 s");
    require(std::isfinite(rules.tolerance) && rules.tolerance >= 0, side + " tolerance must be 0 or more");
    // Disabled needs no policy; HPA's defaulting fills them anyway.
    require(rules.select == SelectPolicy::Disabled || !rules.policies.empty(), side + " needs at least one policy");
    for (const auto& policy : rules.policies) {
        require(policy.value > 0, side + " policy value must be more than 0");
        require(policy.period > 0s && policy.period <= max_period, side + " policy period must be 1 to 1800 s");
    }
}

void validate(const Input& in) {
    require(in.current >= 0, "the current replica count must be 0 or more");
    require(in.min_replicas >= 1, "min must be 1 or more");
    require(in.max_replicas >= in.min_replicas, "max must be at least min");
    require(!in.metrics.empty(), "at least one metric is needed");
    for (const auto& metric : in.metrics) {
        require(std::isfinite(metric.target) && metric.target > 0,
                "the target of " + metric.name + " must be positive");
        require(!metric.max_age || *metric.max_age > 0s, "the max age of " + metric.name + " must be positive");
    }
    validate(in.scale_up, "scale-up");
    validate(in.scale_down, "scale-down");
}

// ceil, capped as HPA caps at int32's top; below 0 means nothing as a count.
std::int32_t ceil_count(double replicas) {
    if (!(replicas > 0)) return 0;
    if (replicas >= static_cast<double>(std::numeric_limits<std::int32_t>::max()))
        return std::numeric_limits<std::int32_t>::max();
    return static_cast<std::int32_t>(std::ceil(replicas));
}

// replica_calculator.go: getUsageRatioReplicaCount (Average) and Get*PerPodMetricReplicas (Total).
MetricResult evaluate(const Metric& metric, const Input& in) {
    MetricResult result{metric.name, metric.kind, metric.target, metric.sample, MetricState::Missing, {}, false, {}};
    if (!metric.sample || !std::isfinite(metric.sample->value)) return result;
    result.state = metric.max_age && in.now - metric.sample->clock > *metric.max_age ? MetricState::Stale
                                                                                      : MetricState::Valid;
    if (result.state != MetricState::Valid || in.current == 0) return result;

    const double value = metric.sample->value;
    const double current = in.current;
    const double ratio = metric.kind == TargetKind::Average ? value / metric.target : value / (metric.target * current);
    result.ratio = ratio;
    result.within_tolerance = 1.0 - in.scale_down.tolerance <= ratio && ratio <= 1.0 + in.scale_up.tolerance;
    if (result.within_tolerance)
        result.desired = in.current;
    else
        result.desired = ceil_count(metric.kind == TargetKind::Average ? ratio * current : value / metric.target);
    return result;
}

// getReplicasChangePerPeriod, both directions: the count before the scalings inside the period.
std::int64_t period_start(const Input& in, Seconds period) {
    const TimePoint cutoff = in.now - period;
    std::int64_t start = in.current;
    for (const auto& event : in.events)
        if (event.time > cutoff) start -= std::int64_t{event.to} - event.from;
    return start;
}

// calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors.
std::int64_t policy_limit(const Input& in, bool up) {
    const ScalingRules& rules = up ? in.scale_up : in.scale_down;
    if (rules.select == SelectPolicy::Disabled) return in.current;
    // Max picks the policy allowing the largest change: the highest limit up, the lowest down.
    const bool highest = up == (rules.select == SelectPolicy::Max);
    std::optional<std::int64_t> limit;
    for (const auto& policy : rules.policies) {
        const std::int64_t start = period_start(in, policy.period);
        std::int64_t proposed = 0;
        if (policy.type == PolicyType::Pods) {
            proposed = up ? start + policy.value : start - policy.value;
        } else {
            // Up rounds up (else a small count never grows); down truncates, as Go's int32() does.
            const double share = static_cast<double>(policy.value) / 100;
            const double scaled = static_cast<double>(start) * (up ? 1 + share : 1 - share);
            proposed = up ? static_cast<std::int64_t>(std::ceil(scaled)) : static_cast<std::int64_t>(scaled);
        }
        if (!limit) limit = proposed;
        else limit = highest ? std::max(*limit, proposed) : std::min(*limit, proposed);
    }
    return *limit;
}

// stabilizeRecommendationWithBehaviors.
Stabilization stabilize(const Input& in, const std::vector<Recommendation>& history, std::int32_t proposal) {
    Stabilization s{in.now - in.scale_up.stabilization_window, in.now - in.scale_down.stabilization_window,
                    proposal, proposal, {}, in.current};
    for (const auto& rec : history) {
        const bool in_up = rec.time > s.up_cutoff;
        const bool in_down = rec.time > s.down_cutoff;
        if (in_up) s.up_floor = std::min(s.up_floor, rec.replicas);
        if (in_down) s.down_ceiling = std::max(s.down_ceiling, rec.replicas);
        if (in_up || in_down) s.considered.push_back(rec);
    }
    s.result = std::clamp(in.current, s.up_floor, s.down_ceiling);
    return s;
}

}  // namespace

ScalingRules default_scale_up() {
    return {0s, SelectPolicy::Max, {{PolicyType::Pods, 4, 15s}, {PolicyType::Percent, 100, 15s}}, 0.1};
}

ScalingRules default_scale_down() {
    return {300s, SelectPolicy::Max, {{PolicyType::Percent, 100, 15s}}, 0.1};
}

Decision decide(const Input& in) {
    validate(in);
    Decision d;
    d.current = in.current;
    for (const auto& metric : in.metrics) d.metrics.push_back(evaluate(metric, in));

    // recordInitialRecommendation: a first run holds the current count as a recommendation.
    std::vector<Recommendation> history = in.recommendations;
    if (history.empty()) {
        history.push_back({in.now, in.current});
        d.store.push_back(history.back());
    }
    const auto finish = [&](std::int32_t desired, Reason reason) {
        d.desired = desired;
        d.reason = reason;
        if (desired != in.current) d.event = ScaleEvent{in.now, in.current, desired};
        return d;
    };

    // reconcileAutoscaler: these come before any metric is read.
    if (in.current == 0) return finish(0, Reason::ScalingDisabled);
    if (in.current > in.max_replicas) return finish(in.max_replicas, Reason::Max);
    if (in.current < in.min_replicas) return finish(in.min_replicas, Reason::Min);

    // computeReplicasForMetrics: the highest proposal; an invalid metric may not let it go down.
    std::size_t valid = 0;
    std::int32_t proposal = 0;
    bool tolerated = false;
    for (const auto& metric : d.metrics) {
        if (!metric.desired) continue;
        ++valid;
        proposal = std::max(proposal, *metric.desired);
        tolerated = tolerated || metric.within_tolerance;
    }
    if (valid == 0) return finish(in.current, Reason::NoValidMetric);
    d.raw_desired = proposal;
    if (valid < d.metrics.size() && proposal < in.current) return finish(in.current, Reason::MissingMetric);

    // normalizeDesiredReplicasWithBehaviors: stabilize, then the rate and the bounds.
    d.stabilization = stabilize(in, history, proposal);
    d.store.push_back({in.now, proposal});
    const std::int32_t stabilized = d.stabilization->result;
    Reason reason = proposal == in.current && tolerated ? Reason::Tolerance : Reason::WithinRange;
    if (stabilized != proposal) reason = Reason::StabilizationWindow;

    // convertDesiredReplicasWithBehaviorRate: the policies' limit (never on the far side of current) or the bound.
    std::int32_t desired = stabilized;
    if (stabilized != in.current) {
        const bool up = stabilized > in.current;
        const auto rate = static_cast<std::int32_t>(std::clamp<std::int64_t>(
            policy_limit(in, up), std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()));
        const std::int32_t limit = up ? std::max(rate, in.current) : std::min(rate, in.current);
        d.policy_limit = limit;
        const std::int32_t bound = up ? in.max_replicas : in.min_replicas;
        // HPA names the policy only when it is stricter than the bound.
        const bool policy = up ? bound > limit : bound < limit;
        const std::int32_t allowed = policy ? limit : bound;
        if (up ? desired > allowed : desired < allowed) {
            desired = allowed;
            if (policy) reason = up ? Reason::ScaleUpPolicy : Reason::ScaleDownPolicy;
            else reason = up ? Reason::Max : Reason::Min;
        }
    }
    return finish(desired, reason);
}

namespace {

// An enum's names, in its declaration order.
template <class Enum, std::size_t N>
std::string_view name_of(Enum value, const std::array<std::string_view, N>& names) {
    return names.at(static_cast<std::size_t>(value));
}

}  // namespace

std::string_view to_string(TargetKind kind) {
    return name_of(kind, std::array<std::string_view, 2>{"average", "total"});
}

std::string_view to_string(MetricState state) {
    return name_of(state, std::array<std::string_view, 3>{"valid", "stale", "missing"});
}

std::string_view to_string(Reason reason) {
    return name_of(reason, std::array<std::string_view, 10>{
                               "within-range", "tolerance", "scaling-disabled", "min", "max", "scale-up-policy",
                               "scale-down-policy", "stabilization-window", "missing-metric", "no-valid-metric"});
}

std::string_view to_string(SelectPolicy select) {
    return name_of(select, std::array<std::string_view, 3>{"Max", "Min", "Disabled"});
}

std::string_view to_string(PolicyType type) {
    return name_of(type, std::array<std::string_view, 2>{"Pods", "Percent"});
}

std::string summary(const Decision& d) {
    std::string line = std::to_string(d.current) + " -> " + std::to_string(d.desired) + ": ";
    line += to_string(d.reason);
    std::string details;
    const auto add = [&details](const std::string& part) { details += (details.empty() ? "" : ", ") + part; };
    if (d.raw_desired) add("metrics " + std::to_string(*d.raw_desired));
    if (d.stabilization) add("stabilized " + std::to_string(d.stabilization->result));
    if (d.policy_limit) add("limit " + std::to_string(*d.policy_limit));
    for (const auto& metric : d.metrics)
        if (metric.state != MetricState::Valid) add(metric.name + " " + std::string(to_string(metric.state)));
    if (!details.empty()) line += " (" + details + ")";
    return line;
}

}  // namespace concierge::autoscale
