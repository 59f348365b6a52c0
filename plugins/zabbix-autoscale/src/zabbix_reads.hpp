// What zabbix-autoscale reads from Zabbix: the items with their last values (item.get) and, for
// --replay, their recorded values (history.get). Shared by the plugin and its in-process floor
// (bench/zabbix_autoscale_floor.cpp), so both send the same requests.
#pragma once

#include "hpa.hpp"
#include "item_spec.hpp"

#include <concierge/zabbix/client.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace concierge::autoscale {

/// An item as item.get shows it, with its last value as a metric of the decision.
struct ItemRead {
    std::string itemid;
    std::string value_type;  // 0 float or 3 unsigned: history.get's "history"
    Metric metric;
};

/// One item.get per item, in order. Throws sdk::Error: NotFound for an item that is not there,
/// Usage for one that is not numeric, and the client's errors.
std::vector<ItemRead> read_items(zabbix::Client& zabbix, const std::vector<ItemRef>& refs, TargetKind kind, double target,
                                 std::optional<Seconds> max_age);

/// The item's values from `from` to `to` (history.get, seconds since the epoch), oldest first.
std::vector<Sample> read_history(zabbix::Client& zabbix, const ItemRead& item, std::int64_t from, std::int64_t to);

}  // namespace concierge::autoscale
