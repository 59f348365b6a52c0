#include "item_spec.hpp"

#include <charconv>
#include <stdexcept>

namespace concierge::autoscale {

namespace {

ItemRef parse_item(std::string_view part) {
    const auto colon = part.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == part.size())
        throw std::invalid_argument("'" + std::string(part) + "' is not HOST:KEY (the host's technical name, ':', the item key)");
    return {std::string(part.substr(0, colon)), std::string(part.substr(colon + 1))};
}

}  // namespace

std::vector<ItemRef> parse_items(std::string_view text) {
    std::vector<ItemRef> items;
    std::size_t start = 0;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : ',';
        if (quoted) {
            if (c == '\\' && i + 1 < text.size()) ++i;  // key parameters escape quotes as \"
            else if (c == '"') quoted = false;
        } else if (c == '"' && depth > 0) {
            quoted = true;
        } else if (c == '[') {
            ++depth;
        } else if (c == ']' && depth > 0) {
            --depth;
        } else if (c == ',' && depth == 0) {
            items.push_back(parse_item(text.substr(start, i - start)));
            start = i + 1;
        }
    }
    return items;
}

std::optional<std::chrono::seconds> update_interval(std::string_view delay) {
    delay = delay.substr(0, delay.find(';'));
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(delay.data(), delay.data() + delay.size(), value);
    if (error != std::errc() || value <= 0) return std::nullopt;
    const std::string_view unit(end, static_cast<std::size_t>(delay.data() + delay.size() - end));
    std::int64_t seconds = 0;
    if (unit.empty() || unit == "s") seconds = 1;
    else if (unit == "m") seconds = 60;
    else if (unit == "h") seconds = 3600;
    else if (unit == "d") seconds = 86400;
    else if (unit == "w") seconds = 604800;
    else return std::nullopt;
    return std::chrono::seconds(value * seconds);
}

std::chrono::seconds max_age_for(std::optional<std::chrono::seconds> flag, std::optional<std::chrono::seconds> interval) {
    if (flag) return *flag;
    if (interval) return 3 * *interval;
    return default_max_age_without_interval;
}

}  // namespace concierge::autoscale
