// The items zabbix-autoscale reads, as users name them (--item HOST:KEY), and how old a value may
// be before it no longer counts (--max-age, else from the item's update interval).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace concierge::autoscale {

/// One item: the host's technical name and the item key.
struct ItemRef {
    std::string host;
    std::string key;
    std::string text() const { return host + ":" + key; }
    friend bool operator==(const ItemRef&, const ItemRef&) = default;
};

/// "HOST:KEY[,HOST:KEY...]". A host name holds no ':', so the first ':' ends it; a key may hold
/// commas inside its [...] parameters (and quotes there), so only a comma outside them starts the
/// next item. Throws std::invalid_argument naming the part that is not HOST:KEY.
std::vector<ItemRef> parse_items(std::string_view text);

/// Zabbix's update interval (item.get `delay`: "30s", "1m", "60", "1h;wd1-5h9-18"): the regular
/// part before any custom interval. None for 0 (trapper and other items without one), a user
/// macro or anything else unreadable.
std::optional<std::chrono::seconds> update_interval(std::string_view delay);

/// Items with no interval (trapper) and no --max-age: their values count this long.
inline constexpr std::chrono::seconds default_max_age_without_interval{300};

/// --max-age when given; else 3x the update interval, as HPA-like "three missed updates"; else
/// default_max_age_without_interval.
std::chrono::seconds max_age_for(std::optional<std::chrono::seconds> flag, std::optional<std::chrono::seconds> interval);

}  // namespace concierge::autoscale
