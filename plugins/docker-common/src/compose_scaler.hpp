// Changing a Compose service's replica count through the Engine API, as compose-scale does it and
// any other plugin that scales (an autoscaler) must: clones of the newest replica created and
// started in parallel, the highest numbers stopped and removed first.
#pragma once

#include "compose.hpp"

#include <concierge/docker/client.hpp>
#include <concierge/sdk/sdk.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace concierge::compose {

/// A container created or removed by a scale.
struct Change {
    std::string name;
    std::int64_t replica = 0;
    std::string action;  ///< created, removed
    std::string id;
};

struct ScaleOutcome {
    std::int64_t reached = 0;          ///< the count after the scale, failures included
    std::vector<Change> changes;       ///< by replica number
    std::vector<std::string> errors;   ///< one per container that failed
};

/// --stop-timeout and --parallel, how a scale paces its changes.
std::vector<sdk::OptionSpec> pace_options();
struct Pace {
    std::size_t workers = 16;
    std::chrono::seconds stop_timeout{10};
};
/// Pace from those options; Usage error for --parallel outside 1..256.
Pace pace_from(const sdk::Context& ctx);

/// The service's containers; NotFound, saying a scale needs one to clone, when there are none.
std::vector<Container> list_to_scale(docker::Client& engine, const std::string& project, const std::string& service);

/// Brings the service from `containers` (as list_to_scale returned them) to `target`, `workers`
/// containers at a time; a stopping container gets `stop_timeout` before it is killed. Stops
/// handing out work on Ctrl-C.
ScaleOutcome scale(sdk::Context& ctx, docker::Client& engine, const std::string& project, const std::string& service,
                   const std::vector<Container>& containers, std::int64_t target, std::size_t workers,
                   std::chrono::seconds stop_timeout);

/// The table compose-scale prints of the changes.
sdk::Table changes_table(const std::vector<Change>& changes);

}  // namespace concierge::compose
