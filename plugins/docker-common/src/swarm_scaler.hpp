// Changing a replicated Swarm service's replica count, as swarm-scale does it and any other plugin
// that scales (an autoscaler) must: the update carries the spec's version index and is retried
// when another update raced it; the wait polls the tasks until the count runs.
#pragma once

#include "swarm.hpp"

#include <concierge/docker/client.hpp>
#include <concierge/sdk/sdk.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace concierge::swarm {

/// --detach and --timeout, whether and how long a scale waits for the tasks (wait_timeout_from).
std::vector<sdk::OptionSpec> wait_options();
/// How long to wait; none with --detach.
std::optional<std::chrono::milliseconds> wait_timeout_from(const sdk::Context& ctx);

/// The service `name`; NotFound when there is none, Conflict when it is not replicated (a global
/// service has no count to scale).
Service inspect_replicated(docker::Client& engine, const std::string& name);

/// Sets the replicas with the version read; when another update got in first, reads again and
/// retries (10 attempts).
void set_replicas(docker::Client& engine, Service& service, std::int64_t replicas);

/// Polls the tasks until `replicas` run and returns how many do; at `timeout`, fails naming the
/// tasks that do not. Wakes on Ctrl-C (Interrupted).
std::int64_t wait_running(sdk::Context& ctx, docker::Client& engine, const Service& service, std::int64_t replicas,
                          std::chrono::milliseconds timeout);

}  // namespace concierge::swarm
