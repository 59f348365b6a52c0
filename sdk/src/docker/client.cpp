// The HTTP transport of the Docker client: a unix socket or mutual TLS over TCP, the API version
// negotiated once, and engine errors turned into exit codes.
#include <concierge/docker/client.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include "../common/net_support.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <charconv>
#include <mutex>
#include <optional>
#include <vector>

namespace concierge::docker {
namespace {

using net_support::one_line;
using sdk::ExitCode;

sdk::ExitCode code_of(int http_status) {
    if (http_status == 404) return ExitCode::NotFound;
    if (http_status == 409) return ExitCode::Conflict;
    return ExitCode::RemoteError;
}

/// "1.41" as a comparable pair; {0, 0} for anything else.
std::pair<int, int> parse_api_version(std::string_view text) {
    int major = 0, minor = 0;
    const char* end = text.data() + text.size();
    auto [dot, e1] = std::from_chars(text.data(), end, major);
    if (e1 != std::errc() || dot == end || *dot != '.') return {0, 0};
    auto [rest, e2] = std::from_chars(dot + 1, end, minor);
    if (e2 != std::errc() || rest != end) return {0, 0};
    return {major, minor};
}

Poco::Timespan timespan(std::chrono::milliseconds timeout) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout.count()) * 1000);
}

}  // namespace

ApiError::ApiError(int http_status, std::string engine_message, const std::string& what)
    : sdk::Error(code_of(http_status), what), http_status_(http_status), engine_message_(std::move(engine_message)) {}

std::string engine_message(const Response& response) {
    try {
        Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(response.body);
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) {
            auto object = parsed.extract<Poco::JSON::Object::Ptr>();
            if (object->has("message")) return one_line(object->getValue<std::string>("message"));
        }
    } catch (const Poco::Exception&) {  // not JSON: the body is the message
    }
    std::string text = one_line(response.body);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text.empty() ? "HTTP " + std::to_string(response.status) : text;
}

struct Client::Impl {
    explicit Impl(const Settings& settings);

    /// One request to `prefix` + `path`; `shown` names it in messages ("GET /containers/json").
    Response exchange(std::string_view method, const std::string& target, std::string_view body, const std::string& shown,
                      net_support::Deadline& deadline);
    /// exchange, ended as Interrupted when the run is cancelled and as RemoteError when its
    /// answer takes longer than the answer time limit; a JSON answer checked within the limits.
    Response watched_exchange(std::string_view method, std::string_view prefix, std::string_view path, std::string_view body);
    std::unique_ptr<Poco::Net::HTTPClientSession> acquire();
    void release(std::unique_ptr<Poco::Net::HTTPClientSession> session);
    [[noreturn]] void fail(const Poco::Exception& e, bool connected) const;

    const Settings& settings;
    std::string socket_path;  // unix://
    std::string host;         // tcp://
    std::uint16_t port = 0;
    Poco::Net::Context::Ptr tls;
    net_support::CancelWatch watch;

    std::mutex mutex;  // guards what follows
    std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> idle;  // kept-alive TLS sessions
    std::optional<std::string> daemon_version;
};

Client::Impl::Impl(const Settings& settings) : settings(settings), watch(settings.context) {
    const std::string& text = settings.host;
    if (text.rfind("unix://", 0) == 0) {
        socket_path = text.substr(7);
        if (socket_path.empty()) throw sdk::Error(ExitCode::Usage, "DOCKER_HOST '" + text + "' names no socket path");
        return;
    }
    Poco::URI uri;
    try {
        uri = Poco::URI(text);
    } catch (const Poco::Exception& e) {
        throw sdk::Error(ExitCode::Usage, "DOCKER_HOST '" + text + "' is malformed: " + one_line(e.displayText()));
    }
    if (uri.getScheme() != "tcp" || uri.getHost().empty())
        throw sdk::Error(ExitCode::Usage, "DOCKER_HOST '" + text + "' is not supported; give unix:///path or tcp://host:port");
    host = uri.getHost();
    port = uri.getPort() ? uri.getPort() : (settings.tls ? 2376 : 2375);
    if (!settings.tls) return;

    net_support::initialise_ssl();
    Poco::Net::Context::Params params;
    params.privateKeyFile = settings.key_file;
    params.certificateFile = settings.cert_file;
    params.loadDefaultCAs = false;
    if (settings.tls_verify) {
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
        params.caLocation = settings.ca_file;
    } else {
        params.verificationMode = Poco::Net::Context::VERIFY_NONE;
    }
    try {
        // Given to each session directly: POCO's global SSLManager and its interactive handlers
        // are never involved, so a failed verification is an exception.
        tls = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        tls->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    } catch (const Poco::Exception& e) {
        throw sdk::Error(ExitCode::InvalidInput, "cannot use the TLS files ca.pem, cert.pem, key.pem beside '" +
                                                     settings.cert_file + "' (DOCKER_CERT_PATH): " +
                                                     one_line(e.displayText()) + "; are they PEM?");
    }
    if (settings.tls_verify && !net_support::check_host_name(*tls, host))
        throw sdk::Error(ExitCode::Usage, "cannot check TLS certificates for the host '" + host + "'");
}

std::unique_ptr<Poco::Net::HTTPClientSession> Client::Impl::acquire() {
    if (!socket_path.empty()) {
        // A fresh connection per request: connecting to a local socket costs microseconds, and a
        // session built on a socket cannot reconnect by itself.
        Poco::Net::StreamSocket socket;
        socket.connect(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, socket_path), timespan(settings.timeout));
        auto session = std::make_unique<Poco::Net::HTTPClientSession>(socket);
        session->setKeepAlive(false);
        return session;
    }
    {
        std::lock_guard lock(mutex);
        if (!idle.empty()) {
            auto session = std::move(idle.back());
            idle.pop_back();
            return session;
        }
    }
    auto session = net_support::watched_session(watch, host, port, tls);
    session->setKeepAlive(true);  // a TLS handshake per request would cost more than the request
    return session;
}

void Client::Impl::release(std::unique_ptr<Poco::Net::HTTPClientSession> session) {
    if (!session->getKeepAlive()) return;
    std::lock_guard lock(mutex);
    idle.push_back(std::move(session));
}

void Client::Impl::fail(const Poco::Exception& e, bool connected) const {
    const std::string& where = settings.host;
    const std::string why = one_line(e.displayText());
    if (dynamic_cast<const Poco::Net::SSLException*>(&e))
        throw sdk::Error(ExitCode::TlsFailed, "TLS with the Docker engine at " + where + " failed: " + why +
                                                  "; check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) and DOCKER_TLS_VERIFY");
    if (dynamic_cast<const Poco::TimeoutException*>(&e))
        throw sdk::Error(ExitCode::Unreachable, "the Docker engine at " + where + " gave no answer within " +
                                                    net_support::seconds(settings.timeout) +
                                                    "; check DOCKER_HOST or raise DOCKER_CLIENT_TIMEOUT");
    // With TLS 1.3 a daemon that refuses our certificate says so only after the handshake, by
    // closing the connection: on TLS that is a certificate problem, not an unreachable engine.
    if (tls && connected)
        throw sdk::Error(ExitCode::TlsFailed, "the Docker engine at " + where + " closed the TLS connection (" + why +
                                                  "); it probably refused the client certificate in DOCKER_CERT_PATH");
    if (dynamic_cast<const Poco::IOException*>(&e))
        throw sdk::Error(ExitCode::Unreachable, "cannot reach the Docker engine at " + where + ": " + why +
                                                    "; is dockerd running? check DOCKER_HOST");
    throw sdk::Error(ExitCode::Failure, "talking to the Docker engine at " + where + " failed: " + why);
}

Response Client::Impl::watched_exchange(std::string_view method, std::string_view prefix, std::string_view path,
                                        std::string_view body) {
    const std::string shown = std::string(method) + " " + std::string(path.substr(0, path.find('?')));
    net_support::Deadline deadline(settings.answer_time_limit);
    std::string expired = "the Docker engine at " + settings.host + " did not finish its answer to " + shown + " within ";
    expired += net_support::seconds(settings.answer_time_limit);
    expired += " (raise --docker-answer-time-limit)";
    std::string target(prefix);
    target += path;
    Response response = watch.run("the Docker engine at " + settings.host, deadline, expired,
                                  [&] { return exchange(method, target, body, shown, deadline); });
    // What the plugins and engine_message parse; a text answer (an error from a proxy) stays text.
    const auto start = response.body.find_first_not_of(" \t\r\n");
    if (start != std::string::npos && (response.body[start] == '{' || response.body[start] == '[')) {
        try {
            zabbix::json::check(response.body, {.max_depth = settings.max_json_depth,
                                                .max_items = settings.max_json_items,
                                                .max_string = static_cast<std::size_t>(settings.max_json_string),
                                                .option_prefix = "docker-"});
        } catch (const zabbix::json::ScanError& e) {
            throw sdk::Error(ExitCode::RemoteError, "the Docker engine at " + settings.host + ": " + shown + " returned " + e.what());
        }
    }
    return response;
}

Response Client::Impl::exchange(std::string_view method, const std::string& target, std::string_view body,
                                const std::string& shown, net_support::Deadline& deadline) {
    bool connected = false;
    try {
        auto session = acquire();
        session->setTimeout(timespan(settings.timeout));
        Poco::Net::HTTPRequest request(std::string(method), target, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setHost(socket_path.empty() ? host : "docker");  // the engine ignores it on a socket
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        if (!body.empty()) request.setContentType("application/json");
        std::ostream& to_engine = session->sendRequest(request);
        connected = true;
        Poco::Net::HTTPResponse answer;
        Response response;
        {
            // Connected: until the answer is read, Ctrl-C or the answer time limit ends the request.
            const net_support::CancelWatch::Watched watched(watch, session->socket().impl()->sockfd(), &deadline);
            to_engine.write(body.data(), static_cast<std::streamsize>(body.size()));
            to_engine.flush();
            std::istream& from_engine = session->receiveResponse(answer);
            response.status = static_cast<int>(answer.getStatus());
            response.body = net_support::read_capped(
                from_engine, answer.hasContentLength() ? answer.getContentLength64() : -1, settings.max_response, [&] {
                    throw sdk::Error(ExitCode::RemoteError, "the Docker engine at " + settings.host + " answered " + shown +
                                                                " with more than " + net_support::mebibytes(settings.max_response) +
                                                                ", the cap; raise it with --docker-max-response-mib "
                                                                "(DOCKER_MAX_RESPONSE_MIB, docker.max-response-mib)");
                });
            if (from_engine.bad()) {
                if (const Poco::Exception* failure = session->networkException()) failure->rethrow();
                throw Poco::IOException("reading the answer failed");
            }
        }
        if (!answer.getKeepAlive()) session->setKeepAlive(false);
        release(std::move(session));
        return response;
    } catch (const Poco::Exception& e) {
        fail(e, connected);
    }
}

Client::Client(Settings settings) : settings_(std::move(settings)), impl_(std::make_unique<Impl>(settings_)) {}

Client::~Client() = default;

std::string Client::daemon_api_version() {
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->daemon_version) return *impl_->daemon_version;
    }
    // /version answers unversioned on every engine since 1.12, with its ApiVersion in the body.
    Response about = impl_->watched_exchange("GET", {}, "/version", {});
    std::string version;
    try {
        auto object = Poco::JSON::Parser().parse(about.body).extract<Poco::JSON::Object::Ptr>();
        version = object->optValue<std::string>("ApiVersion", "");
    } catch (const Poco::Exception&) {
    }
    if (about.status != 200 || parse_api_version(version).first == 0)
        throw sdk::Error(ExitCode::RemoteError, "the Docker engine at " + settings_.host +
                                                    " did not say its API version in /version; is DOCKER_HOST a Docker engine?");
    std::lock_guard lock(impl_->mutex);
    if (!impl_->daemon_version) impl_->daemon_version = version;
    return *impl_->daemon_version;
}

std::string Client::api_version() {
    const std::string daemon = daemon_api_version();
    if (parse_api_version(daemon) < parse_api_version(min_api_version))
        throw sdk::Error(ExitCode::RemoteError, "the Docker engine at " + settings_.host + " speaks API " + daemon +
                                                    "; concierge needs " + std::string(min_api_version) + " or newer");
    return parse_api_version(daemon) < parse_api_version(max_api_version) ? daemon : std::string(max_api_version);
}

Response Client::request(std::string_view method, std::string_view path, std::string_view json_body) {
    return impl_->watched_exchange(method, "/v" + api_version(), path, json_body);
}

namespace {
std::string checked(const Response& response, std::string_view method, std::string_view path, const std::string& where) {
    if (response.status < 400) return response.body;
    const std::string message = engine_message(response);
    throw ApiError(response.status, message,
                   "the Docker engine at " + where + " refused " + std::string(method) + " " +
                       std::string(path.substr(0, path.find('?'))) + ": " + message + " (HTTP " +
                       std::to_string(response.status) + ")");
}
}  // namespace

std::string Client::get(std::string_view path) { return checked(request("GET", path), "GET", path, settings_.host); }

std::string Client::post(std::string_view path, std::string_view json_body) {
    return checked(request("POST", path, json_body), "POST", path, settings_.host);
}

std::string Client::del(std::string_view path) { return checked(request("DELETE", path), "DELETE", path, settings_.host); }

}  // namespace concierge::docker
