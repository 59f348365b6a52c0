#include "restore_step.hpp"

namespace concierge::zabbix_import {

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

std::string describe_names(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
    if (names.size() > 5) out += ", ... (" + std::to_string(names.size()) + ")";
    return out;
}

}  // namespace concierge::zabbix_import
