// Where the Docker engine is and how to reach it: the options every Docker plugin declares and the
// Settings resolved from them, read the way docker-compose (docker-py) reads its environment.
#include <concierge/docker/client.hpp>

#include "../common/net_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace concierge::docker {
namespace {

namespace fs = std::filesystem;

sdk::OptionSpec option(const std::string& name, std::string help, std::string env) {
    sdk::OptionSpec spec;
    spec.name = "docker-" + name;
    spec.config_key = "docker." + name;
    spec.help = std::move(help);
    spec.env = std::move(env);
    return spec;
}

void require_readable(const fs::path& file, std::string_view what) {
    if (!std::ifstream(file))
        throw sdk::Error(sdk::ExitCode::InvalidInput, "cannot read the " + std::string(what) + " '" + file.string() +
                                                          "'; DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem");
}

}  // namespace

std::vector<sdk::OptionSpec> connection_options() {
    std::vector<sdk::OptionSpec> options;
    auto host = option("host", "Docker engine: unix:///path or tcp://host:port", "DOCKER_HOST");
    host.default_value = "unix:///var/run/docker.sock";
    options.push_back(host);

    auto verify = option("tls-verify", "use TLS and verify the daemon's certificate against DOCKER_CERT_PATH/ca.pem",
                         "DOCKER_TLS_VERIFY");
    verify.type = sdk::OptionType::Flag;
    options.push_back(verify);

    options.push_back(option("cert-path", "directory of ca.pem, cert.pem and key.pem for TLS (turns TLS on)",
                             "DOCKER_CERT_PATH"));

    auto timeout = option("timeout", "time limit of each engine request (a bare number is seconds)",
                          "DOCKER_CLIENT_TIMEOUT,COMPOSE_HTTP_TIMEOUT");
    timeout.type = sdk::OptionType::Duration;
    timeout.default_value = "60s";
    options.push_back(timeout);
    options.push_back(net_support::mebibytes_spec(
        option("max-response-mib", "largest engine answer accepted, in MiB", "DOCKER_MAX_RESPONSE_MIB"), 16));
    options.push_back(net_support::integer_spec(
        option("max-json-depth", "deepest nesting of arrays and objects accepted in an answer", "DOCKER_MAX_JSON_DEPTH"), 512));
    options.push_back(net_support::integer_spec(
        option("max-json-items", "most members or elements accepted in one object or array of an answer",
               "DOCKER_MAX_JSON_ITEMS"),
        1000000));
    options.push_back(net_support::mebibytes_spec(
        option("max-json-string-mib", "longest string accepted in an answer, in MiB", "DOCKER_MAX_JSON_STRING_MIB"), 4));
    auto answer_limit = option("answer-time-limit", "time limit of each engine request from its sending to its answer's last byte",
                               "DOCKER_ANSWER_TIME_LIMIT");
    answer_limit.type = sdk::OptionType::Duration;
    answer_limit.default_value = "5m";
    options.push_back(answer_limit);
    return options;
}

Settings make_settings(std::string_view host, std::string_view cert_path, bool tls_verify) {
    Settings settings;
    settings.host = std::string(host);
    const bool unix_socket = settings.host.rfind("unix://", 0) == 0;
    if (!unix_socket && settings.host.rfind("tcp://", 0) != 0)
        throw sdk::Error(sdk::ExitCode::Usage, "DOCKER_HOST '" + settings.host +
                                                   "' is not supported; give unix:///path/to/docker.sock or tcp://host:port");
    if (unix_socket) return settings;  // TLS variables mean nothing on a local socket

    fs::path dir(cert_path);
    settings.tls = tls_verify || !dir.empty();
    settings.tls_verify = tls_verify;
    if (!settings.tls) return settings;
    if (dir.empty()) {  // docker's default
        const char* home = std::getenv("HOME");
        dir = fs::path(home ? home : "/root") / ".docker";
    }
    settings.ca_file = (dir / "ca.pem").string();
    settings.cert_file = (dir / "cert.pem").string();
    settings.key_file = (dir / "key.pem").string();
    if (tls_verify) require_readable(settings.ca_file, "CA certificate");
    // Without a client certificate docker-py goes on with server-side TLS only; so do we.
    if (fs::exists(settings.cert_file) || fs::exists(settings.key_file)) {
        require_readable(settings.cert_file, "client certificate");
        require_readable(settings.key_file, "client key");
    } else {
        settings.cert_file.clear();
        settings.key_file.clear();
    }
    return settings;
}

void apply_run_options(Settings& settings, sdk::Context& ctx) {
    if (auto timeout = ctx.get_duration("docker-timeout")) settings.timeout = *timeout;
    if (auto cap = net_support::mebibytes_option(ctx, "docker-max-response-mib")) settings.max_response = *cap;
    if (auto depth = net_support::count_option(ctx, "docker-max-json-depth")) settings.max_json_depth = *depth;
    if (auto items = net_support::count_option(ctx, "docker-max-json-items")) settings.max_json_items = *items;
    if (auto cap = net_support::mebibytes_option(ctx, "docker-max-json-string-mib")) settings.max_json_string = *cap;
    if (auto limit = ctx.get_duration("docker-answer-time-limit")) settings.answer_time_limit = *limit;
    settings.context = &ctx;
}

Settings settings_from(sdk::Context& ctx) {
    Settings settings = make_settings(ctx.get("docker-host", "unix:///var/run/docker.sock"), ctx.get("docker-cert-path"),
                                      ctx.flag("docker-tls-verify"));
    apply_run_options(settings, ctx);
    if (settings.tls && !settings.tls_verify)
        ctx.warn("TLS to " + settings.host + " without verifying the daemon's certificate; set DOCKER_TLS_VERIFY=1");
    return settings;
}

}  // namespace concierge::docker
