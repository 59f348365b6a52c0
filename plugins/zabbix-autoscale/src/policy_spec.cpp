#include "policy_spec.hpp"

#include "item_spec.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace concierge::autoscale {

ScalingRules parse_policies(std::string_view text, ScalingRules rules) {
    rules.policies.clear();
    rules.select = SelectPolicy::Max;
    for (std::size_t start = 0; start <= text.size();) {
        const auto end = std::min(text.find(',', start), text.size());
        const std::string_view part = text.substr(start, end - start);
        start = end + 1;
        const auto bad = [&part](const char* why) {
            std::string message = "'";  // appended, not concatenated: g++ 12 warns falsely (-Wrestrict) on the chain
            message.append(part).append("' ").append(why);
            message += "; give pods=N/PERIOD, percent=N/PERIOD or select=max|min|disabled";
            return std::invalid_argument(message);
        };
        const auto equals = part.find('=');
        if (equals == std::string_view::npos) throw bad("is not NAME=VALUE");
        const std::string_view name = part.substr(0, equals), value = part.substr(equals + 1);
        if (name == "select") {
            if (value == "max") rules.select = SelectPolicy::Max;
            else if (value == "min") rules.select = SelectPolicy::Min;
            else if (value == "disabled") rules.select = SelectPolicy::Disabled;
            else throw bad("selects neither max, min nor disabled");
            continue;
        }
        if (name != "pods" && name != "percent") throw bad("names no policy");
        const auto slash = value.find('/');
        std::int32_t amount = 0;
        const auto [at, error] = std::from_chars(value.data(), value.data() + std::min(slash, value.size()), amount);
        const auto period = slash == std::string_view::npos ? std::nullopt : update_interval(value.substr(slash + 1));
        if (!period || error != std::errc() || at != value.data() + slash) throw bad("is not N/PERIOD");
        rules.policies.push_back({name == "pods" ? PolicyType::Pods : PolicyType::Percent, amount, *period});
    }
    return rules;
}

}  // namespace concierge::autoscale
