#include "decision_record.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace concierge::autoscale {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using std::chrono::milliseconds;

std::int64_t millis(TimePoint time) { return time.time_since_epoch().count(); }
TimePoint at(std::int64_t millis) { return TimePoint{milliseconds{millis}}; }

Object::Ptr ordered() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// Empty optionals are JSON null, so every key is always there.
template <class T>
Poco::Dynamic::Var or_null(const std::optional<T>& value) {
    return value ? Poco::Dynamic::Var(*value) : Poco::Dynamic::Var();
}

Array::Ptr recommendations_json(const std::vector<Recommendation>& recommendations) {
    Array::Ptr list = new Array;
    for (const auto& rec : recommendations) {
        auto item = ordered();
        item->set("time_ms", millis(rec.time));
        item->set("replicas", rec.replicas);
        list->add(item);
    }
    return list;
}

Object::Ptr rules_json(const ScalingRules& rules) {
    auto json = ordered();
    json->set("stabilization_window_s", rules.stabilization_window.count());
    json->set("select", std::string(to_string(rules.select)));
    Array::Ptr policies = new Array;
    for (const auto& policy : rules.policies) {
        auto item = ordered();
        item->set("type", std::string(to_string(policy.type)));
        item->set("value", policy.value);
        item->set("period_s", policy.period.count());
        policies->add(item);
    }
    json->set("policies", policies);
    json->set("tolerance", rules.tolerance);
    return json;
}

Object::Ptr item_json(const ItemRef& ref, const Metric& metric, const MetricResult& result, TimePoint now) {
    auto json = ordered();
    json->set("item", ref.text());
    json->set("host", ref.host);
    json->set("key", ref.key);
    json->set("kind", std::string(to_string(metric.kind)));
    json->set("target", metric.target);
    json->set("value", metric.sample ? Poco::Dynamic::Var(metric.sample->value) : Poco::Dynamic::Var());
    json->set("clock", metric.sample ? Poco::Dynamic::Var(std::chrono::duration_cast<Seconds>(
                                                              metric.sample->clock.time_since_epoch()).count())
                                     : Poco::Dynamic::Var());
    json->set("age_s", metric.sample ? Poco::Dynamic::Var(std::chrono::duration_cast<Seconds>(now - metric.sample->clock).count())
                                     : Poco::Dynamic::Var());
    json->set("max_age_s", metric.max_age ? Poco::Dynamic::Var(metric.max_age->count()) : Poco::Dynamic::Var());
    json->set("state", std::string(to_string(result.state)));
    json->set("ratio", or_null(result.ratio));
    json->set("within_tolerance", result.within_tolerance);
    json->set("desired", or_null(result.desired));
    return json;
}

Object::Ptr state_json(const State& state) {
    auto json = ordered();
    json->set("recommendations", recommendations_json(state.recommendations));
    Array::Ptr events = new Array;
    for (const auto& event : state.events) {
        auto item = ordered();
        item->set("time_ms", millis(event.time));
        item->set("from", event.from);
        item->set("to", event.to);
        events->add(item);
    }
    json->set("events", events);
    return json;
}

std::int32_t count_of(const Object::Ptr& object, const std::string& name) {
    return object->getValue<std::int32_t>(name);
}

}  // namespace

State parse_state(std::string_view artifact_json) {
    try {
        const auto root = Poco::JSON::Parser().parse(std::string(artifact_json)).extract<Object::Ptr>();
        const auto state = root->getObject("state");
        if (!state) throw std::invalid_argument("it has no \"state\"");
        State parsed;
        for (const auto& rec : *state->getArray("recommendations")) {
            const auto object = rec.extract<Object::Ptr>();
            parsed.recommendations.push_back({at(object->getValue<std::int64_t>("time_ms")), count_of(object, "replicas")});
        }
        for (const auto& event : *state->getArray("events")) {
            const auto object = event.extract<Object::Ptr>();
            parsed.events.push_back({at(object->getValue<std::int64_t>("time_ms")), count_of(object, "from"), count_of(object, "to")});
        }
        return parsed;
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument(e.displayText());
    } catch (const std::invalid_argument&) {
        throw;
    } catch (const std::exception& e) {  // Poco's extract throws BadCastException, a std::exception
        throw std::invalid_argument(e.what());
    }
}

State carry_forward(const State& earlier, const Input& in, const Decision& decision, const std::optional<ScaleEvent>& done) {
    State state = earlier;
    state.recommendations.insert(state.recommendations.end(), decision.store.begin(), decision.store.end());
    if (done) state.events.push_back(*done);

    const TimePoint keep_after = in.now - std::max(in.scale_up.stabilization_window, in.scale_down.stabilization_window);
    const auto newest = std::max_element(state.recommendations.begin(), state.recommendations.end(),
                                         [](const auto& a, const auto& b) { return a.time < b.time; });
    std::vector<Recommendation> kept;
    for (auto it = state.recommendations.begin(); it != state.recommendations.end(); ++it)
        if (it->time > keep_after || it == newest) kept.push_back(*it);
    state.recommendations = std::move(kept);

    Seconds longest{0};
    for (const auto* rules : {&in.scale_up, &in.scale_down})
        for (const auto& policy : rules->policies) longest = std::max(longest, policy.period);
    std::erase_if(state.events, [&](const ScaleEvent& event) { return event.time <= in.now - longest; });
    return state;
}

std::string artifact_name(std::string_view subject) { return "autoscale/" + std::string(subject); }

std::string record_json(const Evaluation& e) {
    const Input& in = e.input;
    const Decision& d = e.decision;
    auto json = ordered();
    json->set("subject", e.subject);
    json->set("time_ms", millis(in.now));
    json->set("dry_run", e.dry_run);
    json->set("min", in.min_replicas);
    json->set("max", in.max_replicas);
    json->set("scale_up", rules_json(in.scale_up));
    json->set("scale_down", rules_json(in.scale_down));
    Array::Ptr items = new Array;
    for (std::size_t i = 0; i < d.metrics.size(); ++i) items->add(item_json(e.items.at(i), in.metrics.at(i), d.metrics[i], in.now));
    json->set("items", items);
    json->set("current", d.current);
    json->set("raw_desired", or_null(d.raw_desired));
    if (d.stabilization) {
        auto window = ordered();
        window->set("up_cutoff_ms", millis(d.stabilization->up_cutoff));
        window->set("down_cutoff_ms", millis(d.stabilization->down_cutoff));
        window->set("up_floor", d.stabilization->up_floor);
        window->set("down_ceiling", d.stabilization->down_ceiling);
        window->set("considered", recommendations_json(d.stabilization->considered));
        window->set("result", d.stabilization->result);
        json->set("stabilization", window);
    } else {
        json->set("stabilization", Poco::Dynamic::Var());
    }
    json->set("policy_limit", or_null(d.policy_limit));
    json->set("desired", d.desired);
    json->set("reason", std::string(to_string(d.reason)));
    json->set("summary", summary(d));
    json->set("reached", or_null(e.reached));
    json->set("state_from_run", e.state_from_run == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(e.state_from_run));
    json->set("state", state_json(e.state));
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(json, out);
    return out.str();
}

}  // namespace concierge::autoscale
