// What one evaluation of zabbix-autoscale leaves in history: the decision with everything that
// led to it, and the state the next evaluation of the same service starts from (the
// recommendations of the stabilization windows and the recent scalings), as one JSON artifact.
#pragma once

#include "hpa.hpp"
#include "item_spec.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace concierge::autoscale {

/// Carried from run to run in the artifact's "state" member.
struct State {
    std::vector<Recommendation> recommendations;
    std::vector<ScaleEvent> events;
    friend bool operator==(const State&, const State&) = default;
};

/// The "state" member of an earlier artifact. Throws std::invalid_argument when it is not one
/// this plugin wrote.
State parse_state(std::string_view artifact_json);

/// The state after a decision: the earlier one with the decision's recommendations and the scaling
/// done (if any), without what no longer counts at `in.now`: recommendations older than both
/// windows (the newest is always kept, so the next run is never taken for a first run) and
/// scalings older than every policy's period.
State carry_forward(const State& earlier, const Input& in, const Decision& decision, const std::optional<ScaleEvent>& done);

/// Everything one evaluation is recorded with.
struct Evaluation {
    std::string subject;        ///< compose/PROJECT/SERVICE or swarm/SERVICE, the lock's name
    std::vector<ItemRef> items;  ///< in the order of input.metrics
    Input input;
    Decision decision;
    bool dry_run = false;
    std::int64_t state_from_run = 0;  ///< the run whose state was read; 0 for none
    std::optional<std::int64_t> reached;  ///< the count after the scale, when one was made
    State state;                      ///< what the next evaluation starts from
};

/// The artifact: subject, time, dry_run, the rules, each item (host, key, value, clock, age,
/// max age, state, ratio, proposal), current, raw_desired, the stabilization window with the
/// recommendations it considered, policy_limit, desired, reason, summary, reached, and state.
std::string record_json(const Evaluation& evaluation);

/// The artifact's name for a subject: "autoscale/" + subject.
std::string artifact_name(std::string_view subject);

}  // namespace concierge::autoscale
