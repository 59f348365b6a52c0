// A Docker Engine API client for plugins: unix:// and tcp:// (mutual TLS), the environment the
// docker CLI and docker-compose read, API version negotiation, and engine errors as sdk::Error
// with the engine's own message and a documented exit code. It knows nothing of history or the
// core; any plugin, ours or a third party's, links Concierge::docker and uses it.
//
//     auto settings = concierge::docker::settings_from(ctx);   // flags > env > config, see below
//     concierge::docker::Client engine(settings);
//     std::string list = engine.get("/containers/json?all=1");  // JSON text
//     engine.post("/containers/" + id + "/start");
//
// Paths are given without the version prefix: the client adds /vX.Y, the lower of the daemon's
// ApiVersion and max_api_version. Bodies and answers are JSON text, so the client imposes no
// JSON library on its users.
#pragma once

#include <concierge/sdk/context.hpp>
#include <concierge/sdk/options.hpp>
#include <concierge/sdk/status.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// The client is a shared library built with hidden visibility; its API is exported explicitly.
#define CONCIERGE_DOCKER_API __attribute__((visibility("default")))

namespace concierge::docker {

/// The newest Engine API this client speaks, and the oldest it accepts (Swarm updates need 1.25).
inline constexpr std::string_view max_api_version = "1.43";
inline constexpr std::string_view min_api_version = "1.25";

/// Where the engine is and how to talk to it.
struct Settings {
    std::string host = "unix:///var/run/docker.sock";  ///< unix:///path or tcp://host:port
    bool tls = false;         ///< tcp:// over TLS, presenting cert_file/key_file when given
    bool tls_verify = false;  ///< check the daemon's certificate against ca_file and its name
    std::string ca_file;      ///< PEM CA(s) that signed the daemon's certificate
    std::string cert_file;    ///< PEM client certificate (mutual TLS)
    std::string key_file;     ///< PEM client key; never printed
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};  ///< per request, as docker-compose's default
    std::uint64_t max_response = std::uint64_t{16} << 20;          ///< the largest answer accepted, in bytes
    /// What a JSON answer may hold: nesting, members or elements of one object or array, bytes of
    /// one string.
    std::size_t max_json_depth = 512;
    std::size_t max_json_items = 1000000;
    std::uint64_t max_json_string = std::uint64_t{4} << 20;
    /// The time one request may take from sending it to the last byte of its answer, so an engine
    /// that trickles its answer cannot hold a run; `timeout` bounds each silence.
    std::chrono::milliseconds answer_time_limit{std::chrono::minutes(5)};
    /// The run whose cancellation (Ctrl-C) ends a request in flight within moments, as
    /// Interrupted; settings_from sets it. Null: a request runs to its answer or its timeout.
    sdk::Context* context = nullptr;
};

/// The options every Docker plugin declares, with the variables the docker CLI and docker-compose
/// read: docker-host (DOCKER_HOST), docker-tls-verify (DOCKER_TLS_VERIFY), docker-cert-path
/// (DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem), docker-timeout (DOCKER_CLIENT_TIMEOUT,
/// COMPOSE_HTTP_TIMEOUT; a bare number is seconds, default 60s), docker-max-response-mib
/// (DOCKER_MAX_RESPONSE_MIB, default 16: the answer size cap), docker-max-json-depth
/// (DOCKER_MAX_JSON_DEPTH, 512), docker-max-json-items (DOCKER_MAX_JSON_ITEMS, 1000000),
/// docker-max-json-string-mib (DOCKER_MAX_JSON_STRING_MIB, 4), docker-answer-time-limit
/// (DOCKER_ANSWER_TIME_LIMIT, default 5m). Config keys "docker.<name without docker->": all
/// Docker plugins share one [docker] section.
CONCIERGE_DOCKER_API std::vector<sdk::OptionSpec> connection_options();

/// Settings from those options, as docker-compose (docker-py) reads them: TLS is on when
/// DOCKER_TLS_VERIFY is set or DOCKER_CERT_PATH is given; the daemon's certificate is verified
/// when DOCKER_TLS_VERIFY is set. Throws sdk::Error(Usage) for a DOCKER_HOST that is neither
/// unix:// nor tcp://, and sdk::Error(InvalidInput) when a certificate file is unreadable.
CONCIERGE_DOCKER_API Settings settings_from(sdk::Context& ctx);

/// Settings for a DOCKER_HOST and a DOCKER_CERT_PATH directory (empty: no TLS), for callers
/// without a context: tests and benchmarks.
CONCIERGE_DOCKER_API Settings make_settings(std::string_view host, std::string_view cert_path, bool tls_verify);

/// What settings_from takes from the run beside the engine's address: the timeout, the answer
/// size cap, the JSON limits, the answer time limit and the context whose cancellation ends
/// requests; for Settings from make_settings.
CONCIERGE_DOCKER_API void apply_run_options(Settings& settings, sdk::Context& ctx);

/// An HTTP answer, as the engine gave it.
struct Response {
    int status = 0;
    std::string body;
};

/// An error the engine answered: its HTTP status and its own message reach the user. Exit code
/// NotFound for 404, Conflict for 409, RemoteError for anything else.
class CONCIERGE_DOCKER_API ApiError : public sdk::Error {
public:
    ApiError(int http_status, std::string engine_message, const std::string& what);
    int http_status() const noexcept { return http_status_; }
    const std::string& engine_message() const noexcept { return engine_message_; }

private:
    int http_status_;
    std::string engine_message_;
};

/// The engine message of an error answer's body ({"message": "..."}), or the body itself.
CONCIERGE_DOCKER_API std::string engine_message(const Response& response);

/// Failures map to exit codes: cannot connect or timed out -> Unreachable; TLS handshake or
/// certificate -> TlsFailed; an engine error -> ApiError (NotFound, Conflict, RemoteError); an
/// answer larger than its cap, a JSON answer (one that starts with { or [) malformed or beyond
/// the JSON limits, or not finished within answer_time_limit -> RemoteError; the run cancelled (Settings::context) -> Interrupted.
/// Thread-safe: concurrent requests use separate connections (TLS connections are kept for reuse).
class CONCIERGE_DOCKER_API Client {
public:
    explicit Client(Settings settings);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// The negotiated API version, "1.41"; asks /_ping once and caches it.
    std::string api_version();
    /// What the daemon said about itself in /_ping: its own API version.
    std::string daemon_api_version();

    /// A request under the negotiated version prefix; any HTTP status is returned, not thrown.
    Response request(std::string_view method, std::string_view path, std::string_view json_body = {});
    /// GET, POST and DELETE that throw ApiError on a status >= 400 and return the body.
    std::string get(std::string_view path);
    std::string post(std::string_view path, std::string_view json_body = {});
    std::string del(std::string_view path);

    /// "unix:///var/run/docker.sock" or "tcp://127.0.0.1:2376", for messages.
    const std::string& endpoint() const noexcept { return settings_.host; }
    const Settings& settings() const noexcept { return settings_; }

private:
    struct Impl;
    Settings settings_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace concierge::docker
