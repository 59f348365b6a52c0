// `concierge_scheduler ACTION ARGS...`: the earlier tool's command line, which Zabbix alert actions in
// the field still call, mapped onto the plugins with the same meaning. The environment those
// scripts set (ZBX_API_HOST, ZBX_USER, ZBX_PASS, ZBX_CONFIG_DIR, DOCKER_HOST, DOCKER_CERT_PATH,
// COMPOSE_HTTP_TIMEOUT) is read by the plugins themselves, so only the arguments need mapping.
#pragma once

#include "cli/option_resolver.hpp"
#include "config/config_file.hpp"

#include <string>
#include <vector>

namespace concierge::cli {

/// The name the compatibility entry point is installed under (a link to `concierge`).
inline constexpr const char* scheduler_program_name = "concierge_scheduler";

/// The concierge arguments an earlier-tool command line means. Throws UsageError for an unknown
/// action or a wrong number of arguments. Config `[scheduler]` and its env overrides choose:
///   orchestrator      (CONCIERGE_SCHEDULER_ORCHESTRATOR)  compose (default) | swarm, for scale_*
///   certs-from-zabbix (CONCIERGE_SCHEDULER_CERTS_FROM_ZABBIX)  auto (default) | true | false:
///     auto reads the Docker TLS material from the component's Zabbix inventory host, as the earlier
///     tool did, whenever DOCKER_HOST is tcp:// and ZBX_API_HOST is set.
std::vector<std::string> translate_scheduler_command(const std::vector<std::string>& args, const EnvLookup& env,
                                                     const config::ConfigFile& config);

/// The usage text of the compatibility entry point.
std::string scheduler_usage();

}  // namespace concierge::cli
