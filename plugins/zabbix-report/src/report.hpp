// What zabbix-report tells Zabbix, computed from history alone (no I/O), so it is unit-tested: the
// trapper values of the template share/zabbix/concierge-template.yaml for one Zabbix host.
#pragma once

#include <concierge/sdk/context.hpp>
#include <concierge/zabbix/sender.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace concierge::report {

/// Item keys of the template; the discovery rules' macros are {#PLUGIN} and {#SERVICE}.
namespace key {
inline constexpr const char* plugins_discovery = "concierge.plugins.discovery";
inline constexpr const char* services_discovery = "concierge.services.discovery";
inline constexpr const char* run_exit = "concierge.run.exit";          ///< [PLUGIN]: the last finished run's exit code
inline constexpr const char* run_duration = "concierge.run.duration";  ///< [PLUGIN]: its duration in seconds
inline constexpr const char* run_status = "concierge.run.status";      ///< [PLUGIN]: succeeded, failed, interrupted, abandoned
inline constexpr const char* backup_age = "concierge.backup.age";      ///< seconds since the last good zabbix-backup ended
inline constexpr const char* backup_exit = "concierge.backup.exit";    ///< the last finished zabbix-backup's exit code
inline constexpr const char* replicas = "concierge.replicas";          ///< [SERVICE]: the count the last scale left
inline constexpr const char* replicas_max = "concierge.replicas.max";  ///< [SERVICE]: that scale's --max
inline constexpr const char* scale_refused = "concierge.scale.refused";  ///< scale runs refused (exit 10) since the last report
}  // namespace key

struct History {
    std::vector<sdk::RunRecord> runs;           ///< newest first: every run of the window
    std::vector<sdk::RunRecord> backups;        ///< newest first: zabbix-backup runs, however old
    std::optional<std::int64_t> last_report;    ///< when the last report that reached Zabbix read history, ms
    std::int64_t now = 0;                       ///< ms since the epoch
    /// An artifact's content, or nothing when it cannot be read.
    std::function<std::optional<std::string>(std::int64_t run_id, const std::string& name)> artifact;
};

/// The values for Zabbix host `host`: the two discovery documents first (so the server creates
/// the items before their values arrive, from the next report on), then per plugin its last
/// finished run, the backup's age and outcome, each scaled service's count and maximum, and the
/// refusals that ended since the last report (in the whole window on a first report).
std::vector<zabbix::TrapperValue> values_for(const std::string& host, const History& history);

/// The artifact name a scale run saves for a service (compose/PROJECT/SERVICE, swarm/SERVICE).
bool is_scale_subject(const std::string& artifact_name);

}  // namespace concierge::report
