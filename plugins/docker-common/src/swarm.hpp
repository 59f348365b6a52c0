// A Swarm service as the Engine API shows it: its mode, replicas and version, and its tasks.
#pragma once

#include <concierge/docker/client.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace concierge::swarm {

struct Service {
    std::string id;
    std::string name;
    std::int64_t version = 0;             ///< Version.Index, for the update
    std::optional<std::int64_t> replicas;  ///< Spec.Mode.Replicated.Replicas; none for global and job services
    std::string mode;                      ///< replicated, global, replicated-job, global-job
    std::string spec;                      ///< Spec as JSON, for the update
};

/// Parses GET /services/{id}.
Service parse_service(const std::string& json);
/// The service spec with Mode.Replicated.Replicas set to `replicas`, as JSON.
std::string with_replicas(const std::string& spec_json, std::int64_t replicas);

struct Task {
    std::string id;
    std::int64_t slot = 0;
    std::string state;  ///< Status.State: new, pending, ..., running, failed, rejected
    std::string desired;  ///< DesiredState: running, or shutdown for a task being removed
    std::string message;  ///< Status.Err, else Status.Message
};

/// GET path of the tasks of a service, those being shut down included.
std::string tasks_path(const std::string& service_id);
std::vector<Task> parse_tasks(const std::string& json);

/// True when a Docker error message says the update raced another one (retry with a fresh version).
bool is_out_of_sequence(const std::string& engine_message);

/// True when exactly `replicas` tasks run and every task that should run does: tasks being shut
/// down still count until they stop, as `docker service ls` counts them.
bool converged(const std::vector<Task>& tasks, std::int64_t replicas);

}  // namespace concierge::swarm
