// How a Docker plugin reaches its engine: DOCKER_HOST and friends, or, with --certs-from-zabbix,
// TLS material read from the inventory of the component's Zabbix host (the earlier tool's
// pre_pem_file / generate_pem_file), kept in a private directory only while the run lasts.
#pragma once

#include <concierge/docker/client.hpp>
#include <concierge/sdk/context.hpp>
#include <concierge/zabbix/inventory_certs.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace concierge::engine_access {

/// The Docker connection options and the certificates-from-Zabbix ones.
std::vector<sdk::OptionSpec> options();

/// A client for the engine the options name. The certificate files, when fetched, are removed
/// when this object goes, on every way out of the run.
class Engine {
public:
    /// `component` is the inventory alias to look up; throws sdk::Error as the lookup and the
    /// settings do (a tcp:// DOCKER_HOST is required with --certs-from-zabbix).
    Engine(sdk::Context& ctx, std::string_view component);
    docker::Client& client() noexcept { return client_; }

private:
    std::optional<zabbix::CertDirectory> certs_;  // declared first: outlives the client using it
    docker::Client client_;
};

}  // namespace concierge::engine_access
