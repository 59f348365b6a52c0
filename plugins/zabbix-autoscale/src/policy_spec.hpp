// --scale-up-policy and --scale-down-policy: HPA's behavior.scaleUp/scaleDown policies and
// selectPolicy as one line of text, so a user can change the rates HPA's defaults set.
#pragma once

#include "hpa.hpp"

#include <string_view>

namespace concierge::autoscale {

/// "pods=4/15s,percent=100/15s,select=max": each `pods=N/PERIOD` or `percent=N/PERIOD` a policy
/// (PERIOD as Zabbix writes intervals: 15s, 1m, 60), `select=max|min|disabled` the select policy
/// (default max). Replaces the policies and the select policy of `rules`, keeping its window and
/// tolerance. Throws std::invalid_argument naming the part it cannot read; decide() checks the
/// ranges.
ScalingRules parse_policies(std::string_view text, ScalingRules rules);

}  // namespace concierge::autoscale
