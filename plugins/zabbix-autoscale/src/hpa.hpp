// The Kubernetes HorizontalPodAutoscaler's replica algorithm as a pure function, for zabbix-autoscale:
// the metrics are Zabbix items, the past recommendations and scale events come from the caller's
// history (so one-shot runs from cron share them), the time is passed in. No I/O, no POCO, no Zabbix.
//
// Sources (read, not copied; Kubernetes 1.33-1.34):
// - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/ : "Algorithm details",
//   "Configurable scaling behavior" (scaling policies, stabilization window, default behavior and
//   its examples: 80 replicas at 10 %/min or 4 pods/min, selectPolicy Min, Disabled).
// - https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/horizontal.go:
//   reconcileAutoscaler (current 0, above max, below min), computeReplicasForMetrics (highest
//   proposal, invalid metrics), recordInitialRecommendation, normalizeDesiredReplicasWithBehaviors,
//   stabilizeRecommendationWithBehaviors, convertDesiredReplicasWithBehaviorRate,
//   calculateScaleUpLimitWithScalingRules, calculateScaleDownLimitWithBehaviors,
//   getReplicasChangePerPeriod.
// - .../podautoscaler/replica_calculator.go: Tolerances.isWithin (per-direction tolerance, KEP-4951),
//   getUsageRatioReplicaCount (kind Average), GetExternalPerPodMetricReplicas and
//   GetObjectPerPodMetricReplicas (kind Total).
// - .../pkg/apis/autoscaling/v2/defaults.go (default rules), .../autoscaling/validation (limits).
//
// Deliberate differences from HPA:
// - Behavior is always on, with HPA's defaults (HPA without spec.behavior takes an older path:
//   at most max(2 x current, 4), no policy periods, no scale-up window).
// - A metric is a single item value: no pods, so no per-pod readiness or per-pod missing samples;
//   "ready pods" is the current count. Values are doubles, not milli-quantities.
// - A metric's proposal is bounded to 0..INT32_MAX (HPA caps only above; a negative value would
//   propose a negative count, which min then lifts anyway).
// - current == 0 never scales (HPA: when minReplicas > 0; min must be >= 1 here, so the same).
// - Recommendations and scale events live in the caller's history and are used as passed in; HPA
//   keeps them in memory (lost on restart) and overwrites outdated ones in place.
// - selectPolicy Disabled needs no policy (HPA's API defaulting would fill them in).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace concierge::autoscale {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Seconds = std::chrono::seconds;

/// How an item's value compares with its target.
enum class TargetKind {
    Average,  ///< --target: the value is a per-replica average; desired = ceil(current x value / target)
    Total,    ///< --target-per-replica: the value is a total; desired = ceil(value / target)
};

enum class PolicyType { Pods, Percent };
enum class SelectPolicy { Max, Min, Disabled };

/// At most `value` pods, or `value` % of the count at the period's start, per `period`.
struct ScalingPolicy {
    PolicyType type = PolicyType::Pods;
    std::int32_t value = 0;
    Seconds period{0};
};

/// One direction's rules: HPA's HPAScalingRules.
struct ScalingRules {
    Seconds stabilization_window{0};
    SelectPolicy select = SelectPolicy::Max;
    std::vector<ScalingPolicy> policies;
    double tolerance = 0.1;  ///< no change while the ratio is within 1 +- tolerance (this side; HPA 1.33+)
};

/// Stabilization 0 s; Pods 4 / 15 s and Percent 100 / 15 s; Max.
ScalingRules default_scale_up();
/// Stabilization 300 s; Percent 100 / 15 s; Max.
ScalingRules default_scale_down();

struct Sample {
    double value = 0;
    TimePoint clock;  ///< when Zabbix collected it
};

struct Metric {
    std::string name;
    TargetKind kind = TargetKind::Average;
    double target = 0;               ///< > 0
    std::optional<Sample> sample;    ///< none: the item has no value
    std::optional<Seconds> max_age;  ///< older than this is stale; none: any age
};

/// An unstabilized recommendation, as a decision returns it for the history.
struct Recommendation {
    TimePoint time;
    std::int32_t replicas = 0;
    friend bool operator==(const Recommendation&, const Recommendation&) = default;
};

/// A scaling the caller carried out.
struct ScaleEvent {
    TimePoint time;
    std::int32_t from = 0;
    std::int32_t to = 0;
    friend bool operator==(const ScaleEvent&, const ScaleEvent&) = default;
};

struct Input {
    TimePoint now;
    std::int32_t current = 0;
    std::int32_t min_replicas = 1;  ///< >= 1
    std::int32_t max_replicas = 0;  ///< >= min_replicas
    std::vector<Metric> metrics;    ///< at least one
    ScalingRules scale_up = default_scale_up();
    ScalingRules scale_down = default_scale_down();
    /// Every recommendation earlier decisions returned; those older than both windows no longer
    /// count. Empty means a first run: the current count is recorded at `now` first, as HPA does
    /// when it starts, which holds scale-down for one scale-down window.
    std::vector<Recommendation> recommendations;
    /// Scalings done; those older than every policy's period no longer count.
    std::vector<ScaleEvent> events;
};

enum class MetricState { Valid, Stale, Missing };

struct MetricResult {
    std::string name;
    TargetKind kind = TargetKind::Average;
    double target = 0;
    std::optional<Sample> sample;
    MetricState state = MetricState::Missing;
    std::optional<double> ratio;          ///< value / target (Total: / (target x current)); valid only
    bool within_tolerance = false;
    std::optional<std::int32_t> desired;  ///< this metric's proposal; valid only
};

/// What set the final count; the last rule that moved it, or why nothing moved.
enum class Reason {
    WithinRange,          ///< the metrics' proposal went through unchanged
    Tolerance,            ///< the deciding metric's ratio was within tolerance
    ScalingDisabled,      ///< current is 0: HPA does not scale from zero
    Min,                  ///< clamped to min (or current was below min)
    Max,                  ///< clamped to max (or current was above max)
    ScaleUpPolicy,        ///< scale-up policies (or selectPolicy Disabled)
    ScaleDownPolicy,      ///< scale-down policies (or selectPolicy Disabled)
    StabilizationWindow,  ///< a recommendation inside a window held the count
    MissingMetric,        ///< a metric was missing or stale and the others wanted fewer: no scaling
    NoValidMetric,        ///< every metric was missing or stale: no scaling
};

/// The stabilization step: recommendations after a cutoff count.
struct Stabilization {
    TimePoint up_cutoff;
    TimePoint down_cutoff;
    std::int32_t up_floor = 0;      ///< lowest in the scale-up window, this proposal included
    std::int32_t down_ceiling = 0;  ///< highest in the scale-down window, this proposal included
    std::vector<Recommendation> considered;  ///< past ones inside either window
    std::int32_t result = 0;        ///< current, brought within [up_floor, down_ceiling]
};

struct Decision {
    std::int32_t current = 0;
    std::vector<MetricResult> metrics;
    std::optional<std::int32_t> raw_desired;     ///< highest valid proposal; none when metrics were not used
    std::optional<Stabilization> stabilization;  ///< none when it did not run
    std::optional<std::int32_t> policy_limit;    ///< the rate limit in the direction of change
    std::int32_t desired = 0;                    ///< the final count
    Reason reason = Reason::WithinRange;
    /// To append to the history and pass back next time (none, the first-run record, the proposal).
    std::vector<Recommendation> store;
    /// To record once the scaling is done; none when desired == current.
    std::optional<ScaleEvent> event;
};

/// Throws std::invalid_argument for a usage error: a target that is not positive, min < 1,
/// max < min, current < 0, no metric, a policy value or period out of HPA's range, a negative window
/// or tolerance, a max age that is not positive.
Decision decide(const Input& input);

std::string_view to_string(TargetKind kind);
std::string_view to_string(MetricState state);
std::string_view to_string(Reason reason);
std::string_view to_string(SelectPolicy select);
std::string_view to_string(PolicyType type);
/// One line for people, e.g. "4 -> 8: scale-up-policy (metrics 12, stabilized 12, limit 8)".
std::string summary(const Decision& decision);

}  // namespace concierge::autoscale
