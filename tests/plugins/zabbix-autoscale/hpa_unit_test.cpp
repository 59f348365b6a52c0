// Unit tests of zabbix-autoscale's HPA algorithm: one table of cases (inputs, the expected count and
// the rule that set it), one of usage errors, and the decision record. The Kubernetes documentation's
// own examples are named Doc*; the rest follow horizontal.go and replica_calculator.go.
#include "hpa.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <concepts>
#include <ostream>
#include <stdexcept>

namespace concierge::autoscale {
namespace {

using namespace std::chrono_literals;

const TimePoint now{std::chrono::seconds{1'700'000'000}};

TimePoint ago(Seconds age) {
    return now - age;
}

Metric average(const std::string& name, double value, double target) {
    return {name, TargetKind::Average, target, Sample{value, now}, std::nullopt};
}

Metric total(const std::string& name, double value, double target) {
    return {name, TargetKind::Total, target, Sample{value, now}, std::nullopt};
}

Metric missing(const std::string& name) {
    return {name, TargetKind::Average, 100, std::nullopt, std::nullopt};
}

Metric aged(Metric metric, Seconds age, Seconds max_age) {
    metric.sample->clock = ago(age);
    metric.max_age = max_age;
    return metric;
}

// A history older than every window, so the first-run hold stays out unless a case asks for it.
Input input(std::int32_t current, std::vector<Metric> metrics, std::int32_t min = 1, std::int32_t max = 100) {
    Input in;
    in.now = now;
    in.current = current;
    in.min_replicas = min;
    in.max_replicas = max;
    in.metrics = std::move(metrics);
    in.recommendations = {{ago(1h), current}};
    return in;
}

Input with_history(Input in, std::vector<Recommendation> recommendations) {
    in.recommendations = std::move(recommendations);
    return in;
}

Input with_events(Input in, std::vector<ScaleEvent> events) {
    in.events = std::move(events);
    return in;
}

Input with_up(Input in, ScalingRules rules) {
    in.scale_up = std::move(rules);
    return in;
}

Input with_down(Input in, ScalingRules rules) {
    in.scale_down = std::move(rules);
    return in;
}

ScalingRules rules(Seconds window, SelectPolicy select, std::vector<ScalingPolicy> policies, double tolerance = 0.1) {
    return {window, select, std::move(policies), tolerance};
}

// One Pods policy, Max.
ScalingRules pods(std::int32_t value, Seconds period, Seconds window = 0s, double tolerance = 0.1) {
    return rules(window, SelectPolicy::Max, {{PolicyType::Pods, value, period}}, tolerance);
}

ScalingRules select(ScalingRules base, SelectPolicy select) {
    base.select = select;
    return base;
}

// The documentation's scale-down example: 4 pods or 10 % per minute.
ScalingRules doc_scale_down(SelectPolicy how = SelectPolicy::Max) {
    return rules(0s, how, {{PolicyType::Pods, 4, 60s}, {PolicyType::Percent, 10, 60s}});
}

// gtest prints a case, and names its test, by the case's name.
template <class C>
concept NamedCase = requires(const C& c) {
    { c.name } -> std::convertible_to<std::string>;
    c.input;
};

template <NamedCase C>
std::ostream& operator<<(std::ostream& out, const C& c) {
    return out << c.name;
}

template <NamedCase C>
std::string case_name(const testing::TestParamInfo<C>& info) {
    return info.param.name;
}

struct Case {
    std::string name;
    Input input;
    std::int32_t expected;
    Reason reason;
};

class Decide : public testing::TestWithParam<Case> {};

TEST_P(Decide, CountAndReason) {
    const Decision d = decide(GetParam().input);
    EXPECT_EQ(d.desired, GetParam().expected) << summary(d);
    EXPECT_EQ(to_string(d.reason), to_string(GetParam().reason)) << summary(d);
}

const std::vector<Case> cases = {
    // Algorithm details: desired = ceil(current x value / target), or ceil(total / target).
    {"DocDoubles", input(3, {average("cpu", 200, 100)}), 6, Reason::WithinRange},
    {"DocHalves", input(6, {average("cpu", 50, 100)}), 3, Reason::WithinRange},
    {"DocFiftyReplicasAt90Of75", input(50, {average("cpu", 90, 75)}), 60, Reason::WithinRange},
    {"AverageRoundsUp", input(3, {average("cpu", 70, 50)}), 5, Reason::WithinRange},
    {"TotalPerReplica", input(5, {total("rps", 900, 100)}), 9, Reason::WithinRange},
    {"TotalRoundsUp", input(5, {total("rps", 901, 100)}), 10, Reason::WithinRange},

    // Tolerance 0.1 on each side, bounds included.
    {"ToleranceInsideAbove", input(10, {average("cpu", 110, 100)}), 10, Reason::Tolerance},
    {"ToleranceInsideBelow", input(10, {average("cpu", 90, 100)}), 10, Reason::Tolerance},
    {"ToleranceOutsideAbove", input(10, {average("cpu", 111, 100)}), 12, Reason::WithinRange},
    {"ToleranceOutsideBelow", input(10, {average("cpu", 89, 100)}), 9, Reason::WithinRange},
    {"TotalToleranceInside", input(10, {total("rps", 1100, 100)}), 10, Reason::Tolerance},
    {"ScaleUpToleranceOwnValue",
     with_up(input(10, {average("cpu", 108, 100)}), pods(4, 15s, 0s, 0.05)), 11, Reason::WithinRange},

    // Several metrics: the highest proposal wins.
    {"SeveralMetricsHighestWins",
     input(5, {average("cpu", 90, 60), total("rps", 900, 100), average("mem", 30, 60)}), 9, Reason::WithinRange},
    {"SeveralMetricsAllWantFewer", input(10, {average("cpu", 50, 100), average("mem", 30, 100)}), 5,
     Reason::WithinRange},
    {"OneWithinToleranceOneWantsFewer", input(10, {average("cpu", 105, 100), average("mem", 30, 100)}), 10,
     Reason::Tolerance},

    // Missing or stale metrics: never a scale-down; a scale-up by the valid ones still happens.
    {"MissingMetricScaleUpStillHappens", input(4, {average("cpu", 150, 100), missing("mem")}), 6,
     Reason::WithinRange},
    {"MissingMetricBlocksScaleDown", input(10, {average("cpu", 50, 100), missing("mem")}), 10,
     Reason::MissingMetric},
    {"MissingMetricOtherWithinTolerance", input(10, {average("cpu", 105, 100), missing("mem")}), 10,
     Reason::Tolerance},
    {"AllMetricsMissing", input(10, {missing("cpu"), missing("mem")}), 10, Reason::NoValidMetric},
    {"StaleMetricBlocksScaleDown",
     input(10, {average("cpu", 50, 100), aged(average("mem", 150, 100), 600s, 300s)}), 10, Reason::MissingMetric},
    {"StaleMetricAloneNeverScales", input(10, {aged(average("cpu", 10, 100), 301s, 300s)}), 10,
     Reason::NoValidMetric},
    {"AgeEqualToMaxAgeIsFresh", input(10, {aged(average("cpu", 50, 100), 300s, 300s)}), 5, Reason::WithinRange},

    // Bounds.
    {"MaxClampsProposal", input(4, {average("cpu", 250, 100)}, 1, 6), 6, Reason::Max},
    {"MinClampsProposal", input(4, {average("cpu", 25, 100)}, 3, 10), 3, Reason::Min},
    {"CurrentAboveMaxGoesToMax", input(12, {average("cpu", 100, 100)}, 1, 10), 10, Reason::Max},
    {"CurrentBelowMinGoesToMin", input(1, {average("cpu", 10, 100)}, 2, 10), 2, Reason::Min},
    {"CurrentZeroIsNotScaled", input(0, {average("cpu", 500, 100)}), 0, Reason::ScalingDisabled},

    // Scale-up policies (defaults: Pods 4 and Percent 100 per 15 s, Max).
    {"ScaleUpPercentWinsOnLargeCount", input(10, {average("cpu", 500, 100)}), 20, Reason::ScaleUpPolicy},
    {"ScaleUpPodsWinOnSmallCount", input(1, {average("cpu", 1000, 100)}), 5, Reason::ScaleUpPolicy},
    {"ScaleUpSelectMinLargeCount",
     with_up(input(10, {average("cpu", 500, 100)}), select(default_scale_up(), SelectPolicy::Min)), 14,
     Reason::ScaleUpPolicy},
    {"ScaleUpSelectMinSmallCount",
     with_up(input(1, {average("cpu", 1000, 100)}), select(default_scale_up(), SelectPolicy::Min)), 2,
     Reason::ScaleUpPolicy},
    {"ScaleUpHeldByEventInPeriod", with_events(input(5, {average("cpu", 200, 100)}), {{ago(10s), 1, 5}}), 5,
     Reason::ScaleUpPolicy},
    {"ScaleUpEventAtPeriodEdgeNoLongerCounts",
     with_events(input(5, {average("cpu", 200, 100)}), {{ago(15s), 1, 5}}), 10, Reason::WithinRange},
    {"ScaleUpDisabled",
     with_up(input(10, {average("cpu", 200, 100)}), select(default_scale_up(), SelectPolicy::Disabled)), 10,
     Reason::ScaleUpPolicy},

    // Scale-down policies: the documentation's 80 replicas towards 10.
    {"DocScaleDownFirstStepRemoves8", with_down(input(80, {average("cpu", 12.5, 100)}), doc_scale_down()), 72,
     Reason::ScaleDownPolicy},
    {"DocScaleDownSamePeriodHolds",
     with_events(with_down(input(72, {average("cpu", 10, 100)}), doc_scale_down()), {{ago(15s), 80, 72}}), 72,
     Reason::ScaleDownPolicy},
    {"DocScaleDownNextPeriodRemoves8Of72",
     with_events(with_down(input(72, {average("cpu", 10, 100)}), doc_scale_down()), {{ago(60s), 80, 72}}), 64,
     Reason::ScaleDownPolicy},
    {"DocScaleDownPodsBelow40", with_down(input(30, {average("cpu", 10, 100)}), doc_scale_down()), 26,
     Reason::ScaleDownPolicy},
    {"DocScaleDownSelectMin",
     with_down(input(80, {average("cpu", 10, 100)}),
               rules(0s, SelectPolicy::Min, {{PolicyType::Percent, 10, 60s}, {PolicyType::Pods, 5, 60s}})),
     75, Reason::ScaleDownPolicy},
    {"ScaleDownPeriodCountsBothDirections",
     with_events(with_down(input(6, {average("cpu", 10, 100)}), pods(2, 60s)), {{ago(40s), 4, 8}, {ago(20s), 8, 6}}),
     2, Reason::ScaleDownPolicy},
    {"DocScaleDownDisabled",
     with_down(input(10, {average("cpu", 50, 100)}), rules(0s, SelectPolicy::Disabled, {})), 10,
     Reason::ScaleDownPolicy},

    // Stabilization: scale-down takes the window's highest, scale-up its lowest.
    {"DipInsideWindowHolds", with_history(input(10, {average("cpu", 40, 100)}), {{ago(200s), 10}, {ago(100s), 8}}), 10,
     Reason::StabilizationWindow},
    {"DipInsideWindowPartly", with_history(input(10, {average("cpu", 40, 100)}), {{ago(100s), 7}}), 7,
     Reason::StabilizationWindow},
    {"DipAfterWindowPassed", with_history(input(10, {average("cpu", 40, 100)}), {{ago(400s), 10}, {ago(301s), 8}}), 4,
     Reason::WithinRange},
    {"WindowEdgeExcluded", with_history(input(10, {average("cpu", 40, 100)}), {{ago(300s), 10}}), 4,
     Reason::WithinRange},
    {"StabilizedThenLimited",
     with_down(with_history(input(10, {average("cpu", 10, 100)}), {{ago(100s), 7}}),
               pods(1, 60s, 300s)),
     9, Reason::ScaleDownPolicy},
    {"UpWindowHolds",
     with_up(with_history(input(5, {average("cpu", 200, 100)}), {{ago(30s), 5}}),
             rules(60s, SelectPolicy::Max, default_scale_up().policies)),
     5, Reason::StabilizationWindow},
    {"UpWindowPartly",
     with_up(with_history(input(5, {average("cpu", 200, 100)}), {{ago(50s), 9}, {ago(30s), 8}}),
             rules(60s, SelectPolicy::Max, default_scale_up().policies)),
     8, Reason::StabilizationWindow},
    {"UpWindowPassed",
     with_up(with_history(input(5, {average("cpu", 200, 100)}), {{ago(61s), 5}}),
             rules(60s, SelectPolicy::Max, default_scale_up().policies)),
     10, Reason::WithinRange},
    {"FirstRunHoldsScaleDown", with_history(input(10, {average("cpu", 40, 100)}), {}), 10,
     Reason::StabilizationWindow},
    {"FirstRunScalesUp", with_history(input(4, {average("cpu", 150, 100)}), {}), 6, Reason::WithinRange},
};

INSTANTIATE_TEST_SUITE_P(Hpa, Decide, testing::ValuesIn(cases), case_name<Case>);

struct UsageCase {
    std::string name;
    Input input;
};

class UsageError : public testing::TestWithParam<UsageCase> {};

TEST_P(UsageError, Throws) {
    EXPECT_THROW(decide(GetParam().input), std::invalid_argument);
}

Input with_policy(ScalingPolicy policy) {
    return with_up(input(4, {average("cpu", 100, 100)}), rules(0s, SelectPolicy::Max, {policy}));
}

const std::vector<UsageCase> usage_cases = {
    {"TargetZero", input(4, {average("cpu", 50, 0)})},
    {"TargetNegative", input(4, {total("rps", 50, -10)})},
    {"TargetNotANumber", input(4, {average("cpu", 50, std::nan(""))})},
    {"MinZero", input(4, {average("cpu", 50, 100)}, 0, 10)},
    {"MaxBelowMin", input(4, {average("cpu", 50, 100)}, 5, 4)},
    {"CurrentNegative", input(-1, {average("cpu", 50, 100)})},
    {"NoMetric", input(4, {})},
    {"MaxAgeZero", input(4, {aged(average("cpu", 50, 100), 0s, 0s)})},
    {"PolicyValueZero", with_policy({PolicyType::Pods, 0, 15s})},
    {"PolicyPeriodZero", with_policy({PolicyType::Percent, 100, 0s})},
    {"PolicyPeriodOver1800s", with_policy({PolicyType::Percent, 100, 1801s})},
    {"NoPolicy", with_up(input(4, {average("cpu", 50, 100)}), rules(0s, SelectPolicy::Max, {}))},
    {"WindowNegative", with_down(input(4, {average("cpu", 50, 100)}), pods(1, 15s, -1s))},
    {"WindowOver3600s", with_down(input(4, {average("cpu", 50, 100)}), pods(1, 15s, 3601s))},
    {"ToleranceNegative", with_down(input(4, {average("cpu", 50, 100)}), pods(1, 15s, 0s, -0.1))},
};

INSTANTIATE_TEST_SUITE_P(Hpa, UsageError, testing::ValuesIn(usage_cases), case_name<UsageCase>);

// ---- the decision record ---------------------------------------------------------------------

TEST(DecisionRecord, MetricsWithTheirStates) {
    Metric nan = average("nan", 0, 100);
    nan.sample->value = std::nan("");
    const Decision d = decide(input(4, {average("cpu", 150, 100), total("rps", 400, 100), missing("mem"),
                                        aged(average("old", 10, 100), 90s, 60s), nan}));
    ASSERT_EQ(d.metrics.size(), 5U);
    EXPECT_EQ(d.metrics[0].state, MetricState::Valid);
    EXPECT_DOUBLE_EQ(*d.metrics[0].ratio, 1.5);
    EXPECT_EQ(*d.metrics[0].desired, 6);
    EXPECT_FALSE(d.metrics[0].within_tolerance);
    EXPECT_DOUBLE_EQ(*d.metrics[1].ratio, 1.0);
    EXPECT_TRUE(d.metrics[1].within_tolerance);
    EXPECT_EQ(*d.metrics[1].desired, 4);
    EXPECT_EQ(d.metrics[2].state, MetricState::Missing);
    EXPECT_FALSE(d.metrics[2].ratio);
    EXPECT_EQ(d.metrics[3].state, MetricState::Stale);
    EXPECT_EQ(d.metrics[3].sample->clock, ago(90s));
    EXPECT_FALSE(d.metrics[3].desired);
    EXPECT_EQ(d.metrics[4].state, MetricState::Missing);
    EXPECT_EQ(d.raw_desired, 6);
    EXPECT_EQ(d.desired, 6);
    EXPECT_EQ(summary(d),
              "4 -> 6: within-range (metrics 6, stabilized 6, limit 8, mem missing, old stale, nan missing)");
}

TEST(DecisionRecord, ScaleUpStoresTheProposalAndTheEvent) {
    const Decision d = decide(input(10, {average("cpu", 500, 100)}));
    EXPECT_EQ(d.raw_desired, 50);
    ASSERT_TRUE(d.stabilization);
    EXPECT_EQ(d.stabilization->result, 50);
    EXPECT_EQ(d.policy_limit, 20);
    EXPECT_EQ(d.store, (std::vector<Recommendation>{{now, 50}}));  // the unstabilized proposal
    EXPECT_EQ(d.event, (ScaleEvent{now, 10, 20}));
    EXPECT_EQ(summary(d), "10 -> 20: scale-up-policy (metrics 50, stabilized 50, limit 20)");
}

TEST(DecisionRecord, WindowShowsWhatItConsidered) {
    const Decision d = decide(with_history(input(10, {average("cpu", 40, 100)}),
                                           {{ago(400s), 12}, {ago(200s), 9}, {ago(100s), 8}}));
    ASSERT_TRUE(d.stabilization);
    EXPECT_EQ(d.stabilization->down_cutoff, ago(300s));
    EXPECT_EQ(d.stabilization->up_cutoff, now);
    EXPECT_EQ(d.stabilization->considered, (std::vector<Recommendation>{{ago(200s), 9}, {ago(100s), 8}}));
    EXPECT_EQ(d.stabilization->down_ceiling, 9);
    EXPECT_EQ(d.stabilization->up_floor, 4);
    EXPECT_EQ(d.desired, 9);
    EXPECT_EQ(d.reason, Reason::StabilizationWindow);
}

TEST(DecisionRecord, FirstRunStoresTheCurrentCountThenTheProposal) {
    const Decision d = decide(with_history(input(10, {average("cpu", 40, 100)}), {}));
    EXPECT_EQ(d.store, (std::vector<Recommendation>{{now, 10}, {now, 4}}));
    EXPECT_EQ(d.desired, 10);
    EXPECT_FALSE(d.event);
}

TEST(DecisionRecord, FailSafeStoresNothingAndSaysWhy) {
    const Decision d = decide(input(10, {average("cpu", 50, 100), missing("mem")}));
    EXPECT_EQ(d.raw_desired, 5);
    EXPECT_FALSE(d.stabilization);
    EXPECT_TRUE(d.store.empty());
    EXPECT_FALSE(d.event);
    EXPECT_EQ(summary(d), "10 -> 10: missing-metric (metrics 5, mem missing)");
}

TEST(DecisionRecord, BoundsBeforeMetricsLeaveNoProposal) {
    const Decision d = decide(input(12, {average("cpu", 10, 100)}, 1, 10));
    EXPECT_FALSE(d.raw_desired);
    EXPECT_FALSE(d.stabilization);
    EXPECT_EQ(d.event, (ScaleEvent{now, 12, 10}));
    EXPECT_EQ(summary(d), "12 -> 10: max");
}

TEST(Names, ForTheRecord) {
    std::string reasons;
    for (int r = 0; r <= static_cast<int>(Reason::NoValidMetric); ++r)
        reasons += std::string(to_string(static_cast<Reason>(r))) + " ";
    EXPECT_EQ(reasons, "within-range tolerance scaling-disabled min max scale-up-policy scale-down-policy "
                       "stabilization-window missing-metric no-valid-metric ");
    EXPECT_EQ(to_string(MetricState::Valid), "valid");
    EXPECT_EQ(to_string(MetricState::Stale), "stale");
    EXPECT_EQ(to_string(MetricState::Missing), "missing");
    EXPECT_EQ(to_string(TargetKind::Average), "average");
    EXPECT_EQ(to_string(TargetKind::Total), "total");
    EXPECT_EQ(to_string(SelectPolicy::Disabled), "Disabled");
}

TEST(Defaults, MatchHpa) {
    const ScalingRules up = default_scale_up();
    EXPECT_EQ(up.stabilization_window, 0s);
    EXPECT_EQ(to_string(up.select), "Max");
    ASSERT_EQ(up.policies.size(), 2U);
    EXPECT_EQ(to_string(up.policies[0].type), "Pods");
    EXPECT_EQ(up.policies[0].value, 4);
    EXPECT_EQ(up.policies[0].period, 15s);
    EXPECT_EQ(to_string(up.policies[1].type), "Percent");
    EXPECT_EQ(up.policies[1].value, 100);
    EXPECT_EQ(up.policies[1].period, 15s);
    const ScalingRules down = default_scale_down();
    EXPECT_EQ(down.stabilization_window, 300s);
    ASSERT_EQ(down.policies.size(), 1U);
    EXPECT_EQ(to_string(down.policies[0].type), "Percent");
    EXPECT_EQ(down.policies[0].value, 100);
    EXPECT_DOUBLE_EQ(down.tolerance, 0.1);
}

}  // namespace
}  // namespace concierge::autoscale
