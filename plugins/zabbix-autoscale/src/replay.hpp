// zabbix-autoscale --replay: the policy evaluated over items' recorded values, step by step, as
// if each step's decision had been carried out at once. Pure: the values come from the caller.
#pragma once

#include "decision_record.hpp"
#include "hpa.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace concierge::autoscale {

struct ReplayStep {
    TimePoint time;
    Decision decision;
};

/// Evaluates `policy` (its rules and metrics, each metric's sample ignored) at `from`, `from + every`,
/// ... up to `to`, starting at `start` replicas. At each step a metric's sample is the newest value of
/// its series (sorted by clock) not after the step; the decision's count becomes the next step's
/// current, and its recommendations and scaling the next step's history, as between real runs.
/// Throws std::invalid_argument as decide() does, or for `every` not positive, `to` before `from`, or
/// a series per metric missing.
std::vector<ReplayStep> replay(const Input& policy, const std::vector<std::vector<Sample>>& series, TimePoint from,
                               TimePoint to, Seconds every, std::int32_t start);

/// A UTC time as --from and --to take it: "2026-11-25", "2026-11-25T10:30", "2026-11-25 10:30:15",
/// with or without a trailing Z; none when it is not one.
std::optional<TimePoint> parse_utc(std::string_view text);
/// "2026-11-25T10:30:15Z".
std::string format_utc(TimePoint time);

}  // namespace concierge::autoscale
