// The JSON-RPC transport and the version-aware authentication of the Zabbix client.
#include <concierge/zabbix/client.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include "../common/net_support.hpp"

#include <Poco/Exception.h>
#include <Poco/MemoryStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/URI.h>

#include <atomic>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <vector>
#include <sstream>

namespace concierge::zabbix {
namespace {

using net_support::one_line;
using sdk::ExitCode;
using std::chrono::milliseconds;

constexpr const char* system_ca_bundle = "/etc/ssl/certs/ca-certificates.crt";

std::string api_error_text(int code, const std::string& message, const std::string& data) {
    std::string text = "Zabbix API error " + std::to_string(code) + ": " + message;
    if (!data.empty()) text += " " + data;
    return one_line(std::move(text));
}

Version parse_version(const std::string& text) {
    Version version;
    version.text = text;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    int* parts[] = {&version.major, &version.minor, &version.patch};
    for (int* part : parts) {
        auto [next, error] = std::from_chars(p, end, *part);
        if (error != std::errc()) break;
        p = next;
        if (p == end || *p != '.') break;
        ++p;
    }
    if (version.major == 0)
        throw sdk::Error(ExitCode::RemoteError, "Zabbix answered apiinfo.version with '" + one_line(text) + "', not a version");
    return version;
}

}  // namespace

ApiError::ApiError(int code, std::string message, std::string data)
    : sdk::Error(ExitCode::RemoteError, api_error_text(code, message, data)),
      api_code_(code),
      api_message_(std::move(message)),
      api_data_(std::move(data)) {}

struct Client::Impl {
    explicit Impl(const Settings& settings);

    /// One JSON-RPC exchange. `credential` empty: no authentication at all.
    std::string rpc(std::string_view method, std::string_view params, std::string_view credential,
                    milliseconds timeout);
    std::string post(const std::string& body, std::string_view bearer, milliseconds timeout, std::uint64_t cap,
                     std::string_view method, net_support::Deadline& deadline);
    std::string result_of(std::string answer, std::string_view method) const;
    /// "--max-export-mib (ZBX_MAX_EXPORT_MIB, zabbix.max-export-mib)": how to raise a limit.
    std::string raise(std::string_view option, std::string_view variable) const {
        std::string text = "--" + settings.option_prefix;
        text += option;
        text += " (";
        text += variable;
        text += ", zabbix.";
        text += option;
        text += ')';
        return text;
    }
    std::string credential() {
        std::lock_guard lock(mutex);
        return settings.token.empty() ? session : settings.token;
    }

    const Settings& settings;
    bool https = false;
    std::string host;
    std::uint16_t port = 0;
    std::string target;  // path and query of the endpoint
    Poco::Net::Context::Ptr tls;
    std::atomic<std::int64_t> next_id{1};
    net_support::CancelWatch watch;

    std::mutex mutex;  // guards what follows
    std::optional<Version> version;
    std::string session;  // from user.login; empty when not logged in
};

Client::Impl::Impl(const Settings& settings) : settings(settings), watch(settings.context) {
    Poco::URI uri;
    try {
        uri = Poco::URI(settings.url);
    } catch (const Poco::Exception& e) {
        throw sdk::Error(ExitCode::Usage, "the Zabbix URL '" + settings.url + "' is malformed: " + e.message());
    }
    if (uri.getScheme() != "http" && uri.getScheme() != "https")
        throw sdk::Error(ExitCode::Usage, "the Zabbix URL '" + settings.url + "' is neither http nor https");
    https = uri.getScheme() == "https";
    host = uri.getHost();
    port = uri.getPort();
    target = uri.getPathEtc();
    if (target.empty()) target = "/";
    if (!https) return;

    net_support::initialise_ssl();
    Poco::Net::Context::Params params;
    if (!settings.tls_verify) {
        params.verificationMode = Poco::Net::Context::VERIFY_NONE;
    } else {
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;  // a client always checks the server's
        if (!settings.ca_file.empty()) {
            if (!std::ifstream(settings.ca_file))
                throw sdk::Error(ExitCode::InvalidInput, "cannot read the CA file '" + settings.ca_file +
                                                             "' (ZBX_CA_FILE); check the path and its permissions");
            params.caLocation = settings.ca_file;
            params.loadDefaultCAs = false;
        } else {
            params.loadDefaultCAs = true;
            if (std::filesystem::exists(system_ca_bundle)) params.caLocation = system_ca_bundle;
        }
    }
    try {
        // Passed to each session directly: POCO's global SSLManager and its interactive
        // certificate handler are never involved, so a failed verification is an exception.
        tls = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        tls->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    } catch (const Poco::Exception& e) {
        throw sdk::Error(ExitCode::InvalidInput,
                         "cannot use the CA file '" + settings.ca_file + "' (ZBX_CA_FILE): " + one_line(e.displayText()));
    }
    if (settings.tls_verify) {
        if (!net_support::check_host_name(*tls, host)) throw sdk::Error(ExitCode::Usage, "cannot check TLS certificates for the host '" + host + "'");
    }
}

std::string Client::Impl::rpc(std::string_view method, std::string_view params, std::string_view credential,
                              milliseconds timeout) {
    if (params.empty()) params = "{}";
    // The params come from the calling plugin: malformed JSON is its bug, not the user's.
    try {
        Poco::MemoryInputStream text(params.data(), params.size());  // no copy of a large import
        Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(text);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr) && parsed.type() != typeid(Poco::JSON::Array::Ptr))
            throw Poco::SyntaxException("not an object or array");
    } catch (const Poco::Exception& e) {
        throw sdk::Error(ExitCode::Failure, "the params of Zabbix method " + std::string(method) +
                                                " are not a JSON object or array: " + one_line(e.displayText()));
    }

    // Before 6.4 the credential goes in the body; from 6.4 in an Authorization header.
    bool bearer = false;
    if (!credential.empty()) {
        std::optional<Version> known;
        {
            std::lock_guard lock(mutex);
            known = version;
        }
        bearer = known && known->at_least(6, 4);
    }

    Poco::JSON::Object head;
    head.set("jsonrpc", "2.0");
    head.set("method", std::string(method));
    head.set("id", next_id.fetch_add(1));
    if (!credential.empty() && !bearer) head.set("auth", std::string(credential));
    std::ostringstream out;
    head.stringify(out);
    std::string body = std::move(out).str();
    body.pop_back();  // the closing brace: the params are spliced in as the caller gave them
    body.reserve(body.size() + params.size() + 12);
    body += ",\"params\":";
    body += params;
    body += '}';

    // configuration.export answers with the whole configuration: it has a cap of its own.
    const std::uint64_t cap = method == "configuration.export" ? settings.max_export_response : settings.max_response;
    net_support::Deadline deadline(settings.answer_time_limit);
    std::string expired = "Zabbix at " + settings.url + " did not finish its answer to " + std::string(method) + " within ";
    expired += net_support::seconds(settings.answer_time_limit);
    expired += " (raise --" + settings.option_prefix + "answer-time-limit)";
    return result_of(watch.run("Zabbix at " + settings.url, deadline, expired,
                               [&] {
                                   return post(body, bearer ? credential : std::string_view(), timeout, cap, method, deadline);
                               }),
                     method);
}

std::string Client::Impl::post(const std::string& body, std::string_view bearer, milliseconds timeout, std::uint64_t cap,
                               std::string_view method, net_support::Deadline& deadline) {
    const std::string& url = settings.url;
    try {
        const auto session = net_support::watched_session(watch, host, port, https ? tls : nullptr);
        session->setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout.count()) * 1000));
        session->setKeepAlive(false);

        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, target, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json-rpc");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        request.set("Accept", "application/json");
        if (!bearer.empty()) request.set("Authorization", "Bearer " + std::string(bearer));
        auto rethrow_network_failure = [&session](const char* what) {
            if (const Poco::Exception* failure = session->networkException()) failure->rethrow();
            throw Poco::IOException(what);
        };
        std::ostream& to_server = session->sendRequest(request);
        // Connected (the session watched its own connection): from here on, until the answer is
        // read, Ctrl-C or the answer time limit ends the call, a large import's upload included.
        const net_support::CancelWatch::Watched watched(watch, session->socket().impl()->sockfd(), &deadline);
        to_server.write(body.data(), static_cast<std::streamsize>(body.size()));
        to_server.flush();
        if (!to_server) rethrow_network_failure("sending the request failed");

        Poco::Net::HTTPResponse response;
        std::istream& from_server = session->receiveResponse(response);
        const std::string answer =
            net_support::read_capped(from_server, response.hasContentLength() ? response.getContentLength64() : -1, cap, [&] {
                const bool export_cap = method == "configuration.export";
                throw sdk::Error(ExitCode::RemoteError,
                                 "Zabbix at " + url + " answered " + std::string(method) + " with more than " +
                                     net_support::mebibytes(cap) + ", the cap; raise it with " +
                                     (export_cap ? raise("max-export-mib", "ZBX_MAX_EXPORT_MIB")
                                                 : raise("max-response-mib", "ZBX_MAX_RESPONSE_MIB")));
            });
        if (from_server.bad()) rethrow_network_failure("reading the answer failed");

        if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
            throw sdk::Error(ExitCode::RemoteError, "Zabbix at " + url + " answered HTTP " +
                                                        std::to_string(static_cast<int>(response.getStatus())) + " " +
                                                        one_line(response.getReason()) + "; is that the Zabbix frontend?");
        return answer;
    } catch (const Poco::Net::SSLException& e) {
        throw sdk::Error(ExitCode::TlsFailed,
                         "TLS with Zabbix at " + url + " failed: " + one_line(e.displayText()) +
                             "; if its certificate is from a private CA set ZBX_CA_FILE, or ZBX_TLS_VERIFY=false to skip the check");
    } catch (const Poco::Net::MessageException& e) {
        throw sdk::Error(ExitCode::RemoteError, "Zabbix at " + url + " did not answer in HTTP: " + one_line(e.displayText()) +
                                                    "; check ZBX_API_HOST (http or https?)");
    } catch (const Poco::Net::NoMessageException&) {
        throw sdk::Error(ExitCode::Unreachable, "cannot reach Zabbix at " + url +
                                                    ": the connection closed without an answer; check ZBX_API_HOST (http or https?)");
    } catch (const Poco::Exception& e) {  // a timeout, refused, host not found, reset...
        net_support::throw_network_failure(e, "Zabbix at " + url, timeout, "ZBX_API_HOST", "ZBX_TIMEOUT");
    }
}

std::string Client::Impl::result_of(std::string answer, std::string_view method) const {
    auto not_json_rpc = [&](const std::string& why) {
        std::string start = one_line(answer.substr(0, 120));
        return sdk::Error(ExitCode::RemoteError, "Zabbix at " + settings.url + " answered with something that is not JSON-RPC (" +
                                                     why + "): '" + start + (answer.size() > 120 ? "...'" : "'") +
                                                     "; is ZBX_API_HOST the Zabbix frontend?");
    };
    // The answer can be a configuration.export of many megabytes: find its top-level members by
    // scanning the text, and copy out only the result, never building a tree of it. Each member
    // is checked within the limits before a plugin or POCO parses it: an export's document is one
    // string, bounded by the export's cap.
    const json::Limits limits{.max_depth = settings.max_json_depth,
                              .max_items = settings.max_json_items,
                              .max_string = static_cast<std::size_t>(method == "configuration.export"
                                                                         ? settings.max_export_response
                                                                         : settings.max_json_string),
                              .option_prefix = settings.option_prefix};
    std::vector<json::Member> reply;
    try {
        reply = json::members(answer, limits);
    } catch (const json::ScanError& e) {
        const auto start = answer.find_first_not_of(" \t\r\n");
        if (start == std::string::npos || answer[start] != '{') throw not_json_rpc(e.what());  // an HTML page, say
        throw sdk::Error(ExitCode::RemoteError, "Zabbix at " + settings.url + ": " + std::string(method) + " returned " + e.what());
    }
    std::optional<std::string_view> result, error;
    bool jsonrpc = false, id = false;
    for (const auto& member : reply) {
        if (json::key_is(member.key, "result")) {
            if (!result) result = member.value;
        } else if (json::key_is(member.key, "error")) {
            if (!error) error = member.value;
        } else if (json::key_is(member.key, "jsonrpc")) {
            jsonrpc = true;
        } else if (json::key_is(member.key, "id")) {
            id = true;
        }
    }

    if (error) {
        Poco::JSON::Object::Ptr object;
        try {
            Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(std::string(*error));
            if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) object = parsed.extract<Poco::JSON::Object::Ptr>();
        } catch (const Poco::Exception& e) {
            throw not_json_rpc("malformed error: " + e.displayText());
        }
        if (!object) throw not_json_rpc("its error is not an object");
        int code = 0;
        std::string message, data;
        try {
            code = object->optValue<int>("code", 0);
            message = object->optValue<std::string>("message", "");
            data = object->optValue<std::string>("data", "");
        } catch (const Poco::Exception& e) {
            throw not_json_rpc("malformed error: " + e.displayText());
        }
        throw ApiError(code, std::move(message), std::move(data));
    }
    if (!result) throw not_json_rpc("neither result nor error");
    if (!jsonrpc || !id) throw not_json_rpc(jsonrpc ? "no id" : "no jsonrpc member");

    // A string result (a token, a version, an export document) is returned decoded; any other
    // value as compact JSON, as it was when the client re-serialised a parsed tree.
    if (json::kind_of(*result) == json::Kind::String) {
        json::unescape_in_place(answer, *result);
        return answer;
    }
    return json::condense(*result);
}

Client::Client(Settings settings) : settings_(std::move(settings)), impl_(std::make_unique<Impl>(settings_)) {}

Client::~Client() {
    try {
        logout();
    } catch (...) {  // a destructor never throws; the session expires on the server anyway
    }
}

const Version& Client::version() {
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->version) return *impl_->version;
    }
    Version fetched = parse_version(impl_->rpc("apiinfo.version", "[]", {}, settings_.timeout));
    std::lock_guard lock(impl_->mutex);
    if (!impl_->version) impl_->version = std::move(fetched);  // never replaced once set: callers hold references
    return *impl_->version;
}

void Client::login() {
    if (!settings_.token.empty()) {
        version();  // decides how the token travels
        return;
    }
    {
        std::lock_guard lock(impl_->mutex);
        if (!impl_->session.empty()) return;
    }
    const Version& server = version();
    Poco::JSON::Object params;
    params.set(server.at_least(5, 4) ? "username" : "user", settings_.user);
    params.set("password", settings_.password);
    std::ostringstream text;
    params.stringify(text);

    std::string session;
    try {
        session = impl_->rpc("user.login", text.str(), {}, settings_.timeout);
    } catch (const ApiError& e) {
        std::string why = e.api_message() + (e.api_data().empty() ? "" : " " + e.api_data());
        if (!settings_.password.empty())  // servers do not echo it, but never risk printing it
            for (auto at = why.find(settings_.password); at != std::string::npos; at = why.find(settings_.password))
                why.replace(at, settings_.password.size(), "***");
        throw sdk::Error(ExitCode::AuthFailed, "Zabbix at " + settings_.url + " refused the login of user '" +
                                                   settings_.user + "': " + one_line(why) +
                                                   " Check ZBX_USER and ZBX_PASS (or ZBX_PASS_FILE), or use ZBX_API_TOKEN");
    }
    if (session.empty() || session.front() == '{')
        throw sdk::Error(ExitCode::RemoteError, "Zabbix at " + settings_.url + " answered user.login without a session id");
    std::lock_guard lock(impl_->mutex);
    impl_->session = std::move(session);
}

void Client::logout() {
    std::string session;
    {
        std::lock_guard lock(impl_->mutex);
        session = std::exchange(impl_->session, {});
    }
    if (session.empty()) return;
    impl_->rpc("user.logout", "[]", session, settings_.timeout);
}

std::string Client::call(std::string_view method, std::string_view params_json) {
    return call(method, params_json, settings_.timeout);
}

std::string Client::call(std::string_view method, std::string_view params_json, milliseconds timeout) {
    std::string credential = impl_->credential();
    if (!credential.empty()) version();  // the version decides between "auth" and a Bearer header
    return impl_->rpc(method, params_json, credential, timeout);
}

}  // namespace concierge::zabbix
