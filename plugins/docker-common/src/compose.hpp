// A Compose project as the Engine API shows it: containers matched by Compose's labels, their
// names, and new replicas cloned from an existing one the way Compose itself creates them.
#pragma once

#include <concierge/docker/client.hpp>
#include <concierge/sdk/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace concierge::compose {

namespace label {
inline constexpr const char* project = "com.docker.compose.project";
inline constexpr const char* service = "com.docker.compose.service";
inline constexpr const char* number = "com.docker.compose.container-number";
inline constexpr const char* oneoff = "com.docker.compose.oneoff";
}  // namespace label

/// One container of a service, from GET /containers/json.
struct Container {
    std::string id;
    std::string name;  ///< without the leading '/'
    std::string service;
    std::int64_t number = 0;  ///< com.docker.compose.container-number
    std::string state;        ///< running, exited, ...
    std::string status;       ///< "Up 5 minutes"
    std::string image;
    std::int64_t created = 0;  ///< seconds since the epoch
    std::string ports;         ///< "0.0.0.0:8080->80/tcp, 443/tcp"
};

/// The --project option (COMPOSE_PROJECT_NAME, config key compose.project).
sdk::OptionSpec project_option();
/// The project from the option; Usage error when none is given.
std::string project_from(const sdk::Context& ctx);

/// GET path listing a project's (or one service's) containers, stopped ones included, one-off
/// containers (docker-compose run) excluded, as Compose lists them.
std::string list_path(const std::string& project, const std::optional<std::string>& service);
/// Parses the answer of list_path, sorted by service then number.
std::vector<Container> parse_containers(const std::string& json);
/// The containers of a project or service; NotFound, naming what exists, when there are none.
std::vector<Container> list(docker::Client& engine, const std::string& project, const std::optional<std::string>& service);

/// "_" (Compose v1, project_service_N) or "-" (v2, project-service-N), from an existing name.
/// Throws sdk::Error(Conflict) for a name of neither form (container_name set: Compose cannot
/// scale such a service either).
std::string name_separator(const std::string& name, const std::string& project, const std::string& service);
std::string replica_name(const std::string& project, const std::string& service, const std::string& separator,
                         std::int64_t number);

/// What POST /containers/create needs for one new replica, and the networks to connect after it
/// (the API takes one network at creation).
struct CreateSpec {
    std::string body;  ///< JSON: Config members, HostConfig, NetworkingConfig
    struct Network {
        std::string name;
        std::string endpoint;  ///< JSON EndpointConfig with the aliases
    };
    std::vector<Network> more_networks;
};

/// The spec of replica `number` cloned from GET /containers/{id}/json of an existing replica:
/// its config and host config, every label (config-hash included) with container-number set,
/// its networks with their aliases (the service name among them) minus the per-container ones
/// (the old short id, fixed addresses).
CreateSpec clone_spec(const std::string& inspect_json, std::int64_t number);

/// The `count` containers to remove on scale-down: the highest numbers first.
std::vector<Container> to_remove(std::vector<Container> containers, std::size_t count);

}  // namespace concierge::compose
