// A Zabbix JSON-RPC API client for plugins: version-aware login, errors as sdk::Error with the
// right exit code, secrets kept out of messages. It knows nothing of history or the core; any
// plugin, ours or a third party's, links Concierge::zabbix and uses it.
//
//     auto settings = concierge::zabbix::settings_from(ctx);   // flags > env > config, see below
//     concierge::zabbix::Client zabbix(settings);
//     zabbix.login();                                          // or an API token: no login needed
//     std::string hosts = zabbix.call("host.get", R"({"output":["host"]})");
//     // the destructor logs out a session it logged in
//
// Results are returned as the raw JSON text of the response's "result" member, so the client
// imposes no JSON library on its users.
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
#define CONCIERGE_ZABBIX_API __attribute__((visibility("default")))

namespace concierge::zabbix {

/// Where and how to reach the API. Never printed: password and token are secrets.
struct Settings {
    std::string url;       ///< full endpoint, e.g. https://zbx.example/zabbix/api_jsonrpc.php
    std::string user;      ///< for user.login; empty with a token
    std::string password;  ///< for user.login
    std::string token;     ///< an API token (5.4+): no login, no logout
    bool tls_verify = true;
    std::string ca_file;   ///< PEM bundle to trust instead of the system's
    std::chrono::milliseconds timeout{std::chrono::minutes(2)};  ///< per call
    /// The largest answer accepted, in bytes; configuration.export's own, larger cap below.
    std::uint64_t max_response = std::uint64_t{64} << 20;
    std::uint64_t max_export_response = std::uint64_t{512} << 20;
    /// What one answer's JSON may hold (json::Limits); configuration.export's result string is
    /// bounded by max_export_response instead of max_json_string.
    std::size_t max_json_depth = 512;
    std::size_t max_json_items = 1000000;
    std::uint64_t max_json_string = std::uint64_t{16} << 20;
    /// The time one call may take from sending its request to the last byte of its answer, so a
    /// server that trickles its answer cannot hold a run; `timeout` bounds each silence.
    std::chrono::milliseconds answer_time_limit{std::chrono::minutes(10)};
    /// The name prefix of the options that set these, for messages ("zabbix-": --zabbix-timeout).
    std::string option_prefix;
    /// The run whose cancellation (Ctrl-C) ends a call in flight within moments, as Interrupted;
    /// settings_from sets it. Null: a call runs to its answer or its timeout.
    sdk::Context* context = nullptr;
};

/// Accepts what users put in ZBX_API_HOST: a bare host ("zbx.example", https assumed, as the
/// earlier tool did), host:port, or a URL with or without a path and api_jsonrpc.php.
/// Returns the full endpoint URL. Throws sdk::Error(Usage) for something that is not a host.
CONCIERGE_ZABBIX_API std::string normalise_api_url(std::string_view host);

/// The options every Zabbix plugin declares, with the environment variables the earlier tool
/// and its users know: api-host (ZBX_API_HOST), user (ZBX_API_USER, ZBX_USER), password
/// (ZBX_API_PASS, ZBX_PASS), password-file (ZBX_PASS_FILE), token (ZBX_API_TOKEN),
/// (password and token are from_command_line = false: they never show in a process list),
/// tls-verify (ZBX_TLS_VERIFY, default true), insecure (a flag that turns verification off, since
/// a flag cannot be turned off on the command line), ca-file (ZBX_CA_FILE), timeout (ZBX_TIMEOUT,
/// default 2m), max-response-mib (ZBX_MAX_RESPONSE_MIB, default 64) and max-export-mib
/// (ZBX_MAX_EXPORT_MIB, default 512), the answer size caps, max-json-depth (ZBX_MAX_JSON_DEPTH,
/// 512), max-json-items (ZBX_MAX_JSON_ITEMS, 1000000), max-json-string-mib
/// (ZBX_MAX_JSON_STRING_MIB, 16), what an answer's JSON may hold, and answer-time-limit
/// (ZBX_ANSWER_TIME_LIMIT, default 10m), the time one call may take to be answered. Their config keys are "zabbix.<name>": all Zabbix plugins share one [zabbix] section.
CONCIERGE_ZABBIX_API std::vector<sdk::OptionSpec> connection_options();

/// Settings from those options. Reads the password file, registers every secret with the
/// context so nothing prints it, and warns when credentials would travel over plain http to a host
/// that is not loopback. A password file, when given, wins over a password; a token wins over both.
/// Throws sdk::Error(Usage) when neither a token nor a user and password are given.
CONCIERGE_ZABBIX_API Settings settings_from(sdk::Context& ctx);

/// The same options named "<prefix><name>" ("zabbix-user"...), with the same variables and config
/// keys, for a plugin whose own options would clash (a Docker plugin's --timeout); and the
/// Settings from them.
CONCIERGE_ZABBIX_API std::vector<sdk::OptionSpec> connection_options(std::string_view name_prefix);
CONCIERGE_ZABBIX_API Settings settings_from(sdk::Context& ctx, std::string_view name_prefix);

struct Version {
    int major = 0;
    int minor = 0;
    int patch = 0;
    std::string text;  ///< as the server said it, e.g. "6.0.14"
    bool at_least(int want_major, int want_minor) const {
        return major > want_major || (major == want_major && minor >= want_minor);
    }
};

/// An error the API itself returned: its code, message and data reach the user.
class CONCIERGE_ZABBIX_API ApiError : public sdk::Error {
public:
    ApiError(int code, std::string message, std::string data);
    int api_code() const noexcept { return api_code_; }
    const std::string& api_message() const noexcept { return api_message_; }
    const std::string& api_data() const noexcept { return api_data_; }

private:
    int api_code_;
    std::string api_message_;
    std::string api_data_;
};

/// Failures map to exit codes: cannot connect or timed out -> Unreachable; TLS handshake or
/// certificate -> TlsFailed; login refused -> AuthFailed; an API error -> RemoteError (ApiError);
/// an answer that is not JSON-RPC, larger than its cap, beyond the JSON limits or not finished
/// within answer_time_limit -> RemoteError; the run cancelled
/// (Settings::context) -> Interrupted. All are sdk::Error.
class CONCIERGE_ZABBIX_API Client {
public:
    explicit Client(Settings settings);
    /// Logs out if this client logged in; never throws.
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// apiinfo.version, called without authentication (7.4 rejects it otherwise). Cached.
    const Version& version();

    /// Logs in with user.login ("user" before 5.4, "username" from 5.4), unless a token is set.
    void login();
    /// user.logout, if logged in. Idempotent.
    void logout();

    /// Calls a method with params given as JSON text (an object or array; it must parse, else
    /// sdk::Error(Failure): a bug in the caller); returns the "result" as JSON text. One
    /// exception: when "result" is a JSON string, its content is returned unescaped, not as a
    /// quoted JSON string. configuration.export answers with a string that holds the export
    /// document, so call("configuration.export", ...) returns that document, {"zabbix_export":...}.
    /// Authenticates as the server's version wants: "auth" in the body before 6.4, an
    /// Authorization: Bearer header from 6.4. Thread-safe: concurrent calls use separate
    /// connections.
    std::string call(std::string_view method, std::string_view params_json);
    std::string call(std::string_view method, std::string_view params_json, std::chrono::milliseconds timeout);

    const Settings& settings() const noexcept { return settings_; }

private:
    struct Impl;
    Settings settings_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace concierge::zabbix
