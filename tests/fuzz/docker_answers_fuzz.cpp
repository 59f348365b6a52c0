// The Docker Engine answers that compose-ps, compose-scale and swarm-scale turn into objects: a
// container list, a container inspect (cloned into a create request), a service inspect (its
// spec rewritten with new replicas) and a task list. The first byte picks the answer; any body is
// parsed or refused with exit 9 (the remote service answered with an error), never a crash.
#include "fuzz_support.hpp"

#include "compose.hpp"
#include "swarm.hpp"

#include <concierge/sdk/status.hpp>

using concierge::sdk::Error;
using concierge::sdk::ExitCode;
namespace compose = concierge::compose;
namespace swarm = concierge::swarm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string body(concierge::fuzz::text_of(data + 1, size - 1));
    try {
        switch (data[0] % 4) {
        case 0: {
            const auto containers = compose::parse_containers(body);
            const auto removed = compose::to_remove(containers, containers.size() / 2);
            FUZZ_CHECK(removed.size() == containers.size() / 2);
            break;
        }
        case 1: {
            const auto spec = compose::clone_spec(body, 2);
            FUZZ_CHECK(!spec.body.empty());
            break;
        }
        case 2: {
            const auto service = swarm::parse_service(body);
            swarm::parse_service(std::string(R"({"ID":"x","Version":{"Index":1},"Spec":)").append(
                swarm::with_replicas(service.spec, 3)).append("}"));
            break;
        }
        default: {
            const auto tasks = swarm::parse_tasks(body);
            swarm::converged(tasks, static_cast<std::int64_t>(tasks.size()));
            break;
        }
        }
    } catch (const Error& e) {
        FUZZ_CHECK(e.code() == ExitCode::RemoteError);
    }
    return 0;
}
