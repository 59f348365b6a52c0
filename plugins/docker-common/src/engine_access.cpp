#include "engine_access.hpp"

namespace concierge::engine_access {
namespace {

docker::Settings settings_for(sdk::Context& ctx, const std::optional<zabbix::CertDirectory>& certs) {
    if (!certs) return docker::settings_from(ctx);
    // DOCKER_CERT_PATH is where the earlier tool wrote the files; the private directory replaces it.
    auto settings = docker::make_settings(ctx.get("docker-host"), certs->path().string(), true);
    docker::apply_run_options(settings, ctx);
    return settings;
}

std::optional<zabbix::CertDirectory> certs_for(sdk::Context& ctx, std::string_view component) {
    if (ctx.flag("certs-from-zabbix") && !ctx.get("docker-host").starts_with("tcp://"))
        throw sdk::Error(sdk::ExitCode::Usage,
                         "--certs-from-zabbix needs a tcp:// DOCKER_HOST: TLS material means nothing on a unix socket");
    return zabbix::certs_from_inventory(ctx, component);
}

}  // namespace

std::vector<sdk::OptionSpec> options() {
    auto options = docker::connection_options();
    for (auto& spec : zabbix::inventory_cert_options()) options.push_back(std::move(spec));
    return options;
}

Engine::Engine(sdk::Context& ctx, std::string_view component)
    : certs_(certs_for(ctx, component)), client_(settings_for(ctx, certs_)) {}

}  // namespace concierge::engine_access
