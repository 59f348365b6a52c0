// Unit tests of what zabbix-autoscale adds around the HPA core: --item HOST:KEY lists, the max age
// of an item's value, the decision artifact and the state carried from run to run in it, and
// --replay over recorded values with its UTC times, and the rate policies' text.
#include "decision_record.hpp"
#include "item_spec.hpp"
#include "policy_spec.hpp"
#include "replay.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace concierge::autoscale {
namespace {

using namespace std::chrono_literals;

const TimePoint now{std::chrono::seconds{1'700'000'000}};

TEST(ItemList, OneHostAndKey) {
    EXPECT_EQ(parse_items("web01:app.load"), (std::vector<ItemRef>{{"web01", "app.load"}}));
}

TEST(ItemList, CommaSeparatedItems) {
    EXPECT_EQ(parse_items("web01:app.load,db 1:queue.length"),
              (std::vector<ItemRef>{{"web01", "app.load"}, {"db 1", "queue.length"}}));
}

TEST(ItemList, CommasAndColonsInsideKeyParametersStayInTheKey) {
    EXPECT_EQ(parse_items("web01:net.if.in[eth0,bytes],web01:vfs.fs.size[C:,free]"),
              (std::vector<ItemRef>{{"web01", "net.if.in[eth0,bytes]"}, {"web01", "vfs.fs.size[C:,free]"}}));
}

TEST(ItemList, QuotedParametersMayHoldBracketsAndCommas) {
    EXPECT_EQ(parse_items(R"(h:log.count["a],b\"c",x],h:k)"),
              (std::vector<ItemRef>{{"h", R"(log.count["a],b\"c",x])"}, {"h", "k"}}));
}

TEST(ItemList, RefusesWhatIsNotHostColonKey) {
    for (const char* bad : {"", "app.load", ":app.load", "web01:", "web01:a,", ",web01:a", "web01:a,,web01:b"})
        EXPECT_THROW(parse_items(bad), std::invalid_argument) << bad;
}

TEST(UpdateInterval, ReadsZabbixDelays) {
    EXPECT_EQ(update_interval("30s"), 30s);
    EXPECT_EQ(update_interval("60"), 60s);
    EXPECT_EQ(update_interval("1m"), 60s);
    EXPECT_EQ(update_interval("2h"), 7200s);
    EXPECT_EQ(update_interval("1d"), 86400s);
    EXPECT_EQ(update_interval("1w"), 604800s);
    EXPECT_EQ(update_interval("1h;wd1-5h9-18"), 3600s);  // the regular part before custom intervals
}

TEST(UpdateInterval, NoneForTrapperMacrosAndNonsense) {
    for (const char* none : {"0", "", "{$DELAY}", "5x", "-1m", "0;50s/1-7,00:00-24:00"})
        EXPECT_EQ(update_interval(none), std::nullopt) << none;
}

TEST(MaxAge, FlagWinsThenThreeIntervalsThenFiveMinutes) {
    EXPECT_EQ(max_age_for(10s, 60s), 10s);
    EXPECT_EQ(max_age_for(std::nullopt, 60s), 180s);
    EXPECT_EQ(max_age_for(std::nullopt, std::nullopt), 300s);
}

Evaluation scaled_up() {
    Evaluation e;
    e.subject = "compose/shop/web";
    e.items = {{"web01", "app.load"}, {"web01", "app.queue"}};
    e.input.now = now;
    e.input.current = 2;
    e.input.min_replicas = 1;
    e.input.max_replicas = 10;
    e.input.metrics = {{"web01:app.load", TargetKind::Average, 5, Sample{15, now - 20s}, 300s},
                       {"web01:app.queue", TargetKind::Total, 100, std::nullopt, 180s}};
    e.input.recommendations = {{now - 30s, 2}};
    e.decision = decide(e.input);
    e.reached = e.decision.desired;
    e.state_from_run = 41;
    e.state = carry_forward({e.input.recommendations, {}}, e.input, e.decision, e.decision.event);
    return e;
}

Poco::JSON::Object::Ptr parsed(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

TEST(DecisionJson, RecordsItemsCountsWindowAndReason) {
    const auto e = scaled_up();
    ASSERT_EQ(e.decision.desired, 6);  // ceil(2 x 15 / 5); the missing queue may not hold a scale-up
    const auto json = parsed(record_json(e));
    EXPECT_EQ(json->getValue<std::string>("subject"), "compose/shop/web");
    EXPECT_FALSE(json->getValue<bool>("dry_run"));
    EXPECT_EQ(json->getValue<int>("current"), 2);
    EXPECT_EQ(json->getValue<int>("raw_desired"), 6);
    EXPECT_EQ(json->getValue<int>("desired"), 6);
    EXPECT_EQ(json->getValue<int>("reached"), 6);
    EXPECT_EQ(json->getValue<std::string>("reason"), "within-range");
    EXPECT_EQ(json->getValue<std::string>("summary"), summary(e.decision));
    EXPECT_EQ(json->getValue<std::int64_t>("state_from_run"), 41);
    EXPECT_EQ(json->getObject("scale_down")->getValue<int>("stabilization_window_s"), 300);
    EXPECT_EQ(json->getObject("stabilization")->getArray("considered")->size(), 1u);

    const auto items = json->getArray("items");
    ASSERT_EQ(items->size(), 2u);
    const auto load = items->getObject(0);
    EXPECT_EQ(load->getValue<std::string>("item"), "web01:app.load");
    EXPECT_EQ(load->getValue<double>("value"), 15);
    EXPECT_EQ(load->getValue<std::int64_t>("clock"), 1'700'000'000 - 20);
    EXPECT_EQ(load->getValue<int>("age_s"), 20);
    EXPECT_EQ(load->getValue<int>("max_age_s"), 300);
    EXPECT_EQ(load->getValue<std::string>("state"), "valid");
    EXPECT_EQ(load->getValue<int>("desired"), 6);
    const auto queue = items->getObject(1);
    EXPECT_EQ(queue->getValue<std::string>("kind"), "total");
    EXPECT_EQ(queue->getValue<std::string>("state"), "missing");
    EXPECT_TRUE(queue->isNull("value"));
    EXPECT_TRUE(queue->isNull("desired"));
}

TEST(DecisionJson, FailSafeRecordsNoWindowAndNulls) {
    auto e = scaled_up();
    e.input.metrics = {{"web01:app.load", TargetKind::Average, 5, Sample{1, now - 1h}, 300s}};
    e.items.resize(1);
    e.decision = decide(e.input);
    e.reached.reset();
    const auto json = parsed(record_json(e));
    EXPECT_EQ(json->getValue<std::string>("reason"), "no-valid-metric");
    EXPECT_EQ(json->getArray("items")->getObject(0)->getValue<std::string>("state"), "stale");
    EXPECT_TRUE(json->isNull("raw_desired"));
    EXPECT_TRUE(json->isNull("stabilization"));
    EXPECT_TRUE(json->isNull("reached"));
}

TEST(DecisionJson, StateReadsBackAsWritten) {
    const auto e = scaled_up();
    EXPECT_EQ(parse_state(record_json(e)), e.state);
    EXPECT_EQ(e.state.events, (std::vector<ScaleEvent>{{now, 2, 6}}));
}

TEST(DecisionJson, ForeignDocumentsAreRefused) {
    for (const char* bad : {"", "[]", "{}", R"({"state":{"recommendations":[{"time_ms":"x"}],"events":[]}})"})
        EXPECT_THROW(parse_state(bad), std::invalid_argument) << bad;
}

TEST(CarryForward, DropsRecommendationsOutsideBothWindowsButKeepsTheNewest) {
    Input in;
    in.now = now;
    in.scale_up.stabilization_window = 60s;  // down: HPA's 300 s
    const State earlier{{{now - 1h, 9}, {now - 2h, 7}}, {}};
    Decision nothing;  // a fail-safe decision stores no recommendation
    EXPECT_EQ(carry_forward(earlier, in, nothing, std::nullopt).recommendations, (std::vector<Recommendation>{{now - 1h, 9}}));

    Decision proposed;
    proposed.store = {{now, 4}};
    const State inside{{{now - 299s, 5}, {now - 301s, 6}}, {}};
    EXPECT_EQ(carry_forward(inside, in, proposed, std::nullopt).recommendations,
              (std::vector<Recommendation>{{now - 299s, 5}, {now, 4}}));
}

TEST(CarryForward, DropsScalingsOlderThanEveryPolicyPeriod) {
    Input in;
    in.now = now;
    in.scale_down.policies = {{PolicyType::Pods, 1, 60s}};  // the longest period; up's are 15 s
    const State earlier{{{now, 3}}, {{now - 61s, 1, 2}, {now - 59s, 2, 3}}};
    const auto state = carry_forward(earlier, in, Decision{}, ScaleEvent{now, 3, 4});
    EXPECT_EQ(state.events, (std::vector<ScaleEvent>{{now - 59s, 2, 3}, {now, 3, 4}}));
}

TEST(ArtifactName, PrefixesTheLockSubject) {
    EXPECT_EQ(artifact_name("swarm/api"), "autoscale/swarm/api");
}

}  // namespace
}  // namespace concierge::autoscale

namespace concierge::autoscale {
namespace {

using namespace std::chrono_literals;

const TimePoint start{std::chrono::seconds{1'700'000'000}};

Input replay_policy() {
    Input in;
    in.min_replicas = 1;
    in.max_replicas = 10;
    in.scale_down.stabilization_window = 120s;
    in.metrics = {{"web01:app.load", TargetKind::Total, 100, std::nullopt, 300s}};
    return in;
}

std::vector<std::int32_t> curve(const std::vector<ReplayStep>& steps) {
    std::vector<std::int32_t> counts;
    for (const auto& step : steps) counts.push_back(step.decision.desired);
    return counts;
}

TEST(Replay, FollowsTheValuesWithTheWindowAndThePolicies) {
    // 350 from the start, a dip to 100 at 3 min; one step a minute for 7 min.
    const std::vector<std::vector<Sample>> series{{{350, start - 10s}, {100, start + 3min}}};
    const auto steps = replay(replay_policy(), series, start, start + 7min, 60s, 1);
    ASSERT_EQ(steps.size(), 8u);
    // Up to 4 at once (+4 pods or +100 % per 15 s allows 5); the dip held until the last
    // recommendation of 4 (at 2 min) leaves the 2 min window.
    EXPECT_EQ(curve(steps), (std::vector<std::int32_t>{4, 4, 4, 4, 1, 1, 1, 1}));
    EXPECT_EQ(steps[3].decision.reason, Reason::StabilizationWindow);
    EXPECT_EQ(steps[4].time, start + 4min);
}

TEST(Replay, NoValueYetIsMissingAndOldValuesGoStale) {
    const std::vector<std::vector<Sample>> series{{{350, start + 1min}}};
    const auto steps = replay(replay_policy(), series, start, start + 10min, 60s, 2);
    EXPECT_EQ(steps.front().decision.metrics.front().state, MetricState::Missing);
    EXPECT_EQ(steps.front().decision.desired, 2);
    EXPECT_EQ(steps.back().decision.metrics.front().state, MetricState::Stale);  // 9 min old, max age 5 min
    EXPECT_EQ(steps.back().decision.reason, Reason::NoValidMetric);
}

TEST(Replay, RefusesABackwardRangeAndAZeroStep) {
    const std::vector<std::vector<Sample>> series(1);
    EXPECT_THROW(replay(replay_policy(), series, start, start - 1s, 60s, 1), std::invalid_argument);
    EXPECT_THROW(replay(replay_policy(), series, start, start, 0s, 1), std::invalid_argument);
}

TEST(UtcTime, ReadsDatesAndTimes) {
    EXPECT_EQ(format_utc(*parse_utc("2026-11-25")), "2026-11-25T00:00:00Z");
    EXPECT_EQ(format_utc(*parse_utc("2026-11-25T10:30")), "2026-11-25T10:30:00Z");
    EXPECT_EQ(format_utc(*parse_utc("2026-11-25 10:30:15")), "2026-11-25T10:30:15Z");
    EXPECT_EQ(format_utc(*parse_utc("2026-11-25T10:30:15Z")), "2026-11-25T10:30:15Z");
    for (const char* bad : {"", "yesterday", "2026-13-01", "2026-11-25X10:30", "2026-11-25T10", "2026-11-25T10:30:15+01"})
        EXPECT_EQ(parse_utc(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace concierge::autoscale

namespace concierge::autoscale {
namespace {

using namespace std::chrono_literals;

TEST(Policies, ReadHpasPoliciesAndSelect) {
    const auto rules = parse_policies("pods=2/30s,percent=50/1m,select=min", default_scale_down());
    EXPECT_EQ(rules.select, SelectPolicy::Min);
    ASSERT_EQ(rules.policies.size(), 2u);
    EXPECT_EQ(rules.policies[0].type, PolicyType::Pods);
    EXPECT_EQ(rules.policies[0].value, 2);
    EXPECT_EQ(rules.policies[0].period, 30s);
    EXPECT_EQ(rules.policies[1].type, PolicyType::Percent);
    EXPECT_EQ(rules.policies[1].value, 50);
    EXPECT_EQ(rules.policies[1].period, 60s);
    EXPECT_EQ(rules.stabilization_window, 300s);  // kept: only the rates change
}

TEST(Policies, SelectDefaultsToMaxAndDisabledNeedsNoPolicy) {
    EXPECT_EQ(parse_policies("pods=1/15s", default_scale_up()).select, SelectPolicy::Max);
    const auto disabled = parse_policies("select=disabled", default_scale_down());
    EXPECT_EQ(disabled.select, SelectPolicy::Disabled);
    EXPECT_TRUE(disabled.policies.empty());
}

TEST(Policies, RefuseWhatTheyCannotRead) {
    for (const char* bad : {"", "pods", "pods=4", "pods=4/", "pods=x/15s", "pods=4/15x", "nodes=4/15s", "select=most",
                            "pods=4/15s,"})
        EXPECT_THROW(parse_policies(bad, default_scale_up()), std::invalid_argument) << bad;
}

}  // namespace
}  // namespace concierge::autoscale
