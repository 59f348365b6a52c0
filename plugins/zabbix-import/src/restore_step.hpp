// One step of a restore (an object kind) as the run's table and import-steps.json show it, and
// the few text helpers every step's detail uses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace concierge::zabbix_import {

/// What one step did; a row of the run's table and of its import-steps.json artifact.
struct Step {
    std::string key{};   ///< the kind, as --only and --skip name it
    std::string name{};  ///< for people: "user groups"
    std::string status = "not run";  ///< done, dry run, failed, skipped, refused, not in backup, not in Zabbix X
    std::int64_t objects = 0, created = 0, updated = 0, unchanged = 0, not_restored = 0;
    double seconds = 0;
    std::string detail{};
};

/// "a, b, c" (or joined by `separator`).
std::string joined(const std::vector<std::string>& items, const std::string& separator = ", ");

/// The first five names of a list, and how many there are when more.
std::string describe_names(const std::vector<std::string>& names);

}  // namespace concierge::zabbix_import
