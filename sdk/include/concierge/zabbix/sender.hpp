// The Zabbix sender protocol, what zabbix_sender speaks: values pushed to trapper items through a
// Zabbix server's or proxy's trapper port (10051). Any plugin links Concierge::zabbix and uses it;
// no zabbix_sender binary is needed.
//
//     auto settings = concierge::zabbix::sender_settings_from(ctx);  // flags > env > config, see below
//     concierge::zabbix::Sender sender(settings);
//     auto sent = sender.send({{"web01", "backup.status", "ok"}, {"web01", "backup.bytes", "1048576"}});
//     if (sent.failed > 0) ctx.warn("Zabbix refused " + std::to_string(sent.failed) + " values: " + sent.info);
//
// Plain TCP, as zabbix_sender without --tls-connect: no encryption, no authentication (TLS-PSK and
// certificates are not implemented), so use it on loopback or a trusted network. The server takes a
// value only from an address in its trapper item's "Allowed hosts", when that field is set, and
// refuses values for hosts whose "Connections from host" demand encryption. Such refusals, like a
// value for a host the server does not know or for a key that is not a trapper item, are counted
// in SendResult::failed; they are not exceptions.
#pragma once

#include <concierge/sdk/context.hpp>
#include <concierge/sdk/options.hpp>
#include <concierge/sdk/status.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#ifndef CONCIERGE_ZABBIX_API
#define CONCIERGE_ZABBIX_API __attribute__((visibility("default")))
#endif

namespace concierge::zabbix {

/// Where the trapper is and how long to wait for it.
struct SenderSettings {
    /// The Zabbix server or proxy: a host name or address, "host:port", "[IPv6]:port" or a bare
    /// IPv6 address. A port given here wins over `port`.
    std::string server;
    std::uint16_t port = 10051;
    /// The time limit of each request: connecting, sending the values and reading the answer.
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
    /// Values per request (0 is taken as 1); zabbix_sender sends 250. A larger batch is split and
    /// the results summed.
    std::size_t values_per_request = 250;
    /// The largest answer accepted, in bytes (a real answer is under 200 bytes).
    std::uint64_t max_response = std::uint64_t{16} << 20;
    /// The run whose cancellation (Ctrl-C) ends a request in flight within moments, as Interrupted;
    /// sender_settings_from sets it. Null: a request runs to its answer or its timeout.
    sdk::Context* context = nullptr;
};

/// One value for a trapper item. The value is text, as zabbix_sender's -o: the server converts it
/// to the item's type. Host, key and value are UTF-8.
struct TrapperValue {
    std::string host;  ///< the host's technical name ("Host name" in the frontend), as zabbix_sender -s
    std::string key;   ///< the trapper item's key, as zabbix_sender -k
    std::string value;
    std::optional<std::int64_t> clock{};  ///< when it was measured, seconds since the Unix epoch; unset: on arrival
    std::optional<std::int32_t> ns{};     ///< nanoseconds of `clock` (0 to 999999999); only sent with a clock
};

/// What the server said, summed over the requests of a send.
struct SendResult {
    std::int64_t processed = 0;  ///< values the server accepted
    std::int64_t failed = 0;     ///< values it refused (see the top of this header for why)
    std::int64_t total = 0;      ///< values it received
    std::int64_t requests = 0;   ///< requests made
    /// The server's own "info" of each request ("processed: 1; failed: 0; total: 1; seconds spent:
    /// 0.000055"), one line per request, in order.
    std::string info;
};

/// Failures map to exit codes, with a one-line message naming the server: cannot connect, the
/// name does not resolve, no answer within the timeout, or the connection closed without an
/// answer -> Unreachable; an answer that is not the protocol, truncated, compressed (flag 0x02)
/// or a large packet (0x04), larger than SenderSettings::max_response, not JSON, or a "failed"
/// response -> RemoteError; the run cancelled (SenderSettings::context) -> Interrupted; a server
/// that is not "host" or "host:port" -> Usage; one request's values over the server's 1 GiB limit
/// -> InvalidInput. All are sdk::Error.
class CONCIERGE_ZABBIX_API Sender {
public:
    /// Throws sdk::Error(Usage) for a malformed server; connects only when sending.
    explicit Sender(SenderSettings settings);
    ~Sender();
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    /// Sends the values, SenderSettings::values_per_request per request, one connection each, in
    /// order; nothing at all for none. Each request carries the time it was sent, so the server
    /// corrects the values' clocks for the difference between the two machines' clocks. A failure
    /// ends the send: the requests before it were delivered, and the message says how many
    /// values they held. Thread-safe.
    SendResult send(const std::vector<TrapperValue>& values);

    const SenderSettings& settings() const noexcept { return settings_; }
    /// "host:port" ("[IPv6]:port"), as the messages name the server.
    const std::string& address() const noexcept;

private:
    struct Impl;
    SenderSettings settings_;
    std::unique_ptr<Impl> impl_;
};

/// The options of a plugin that sends, named as zabbix_sender's and the Zabbix containers' are
/// known: zabbix-server (ZBX_SERVER_HOST, ZBX_SERVER; zabbix_sender -z; host or host:port;
/// required), zabbix-server-port (ZBX_SERVER_PORT; -p; default 10051, used when zabbix-server
/// names no port) and zabbix-sender-timeout (ZBX_SENDER_TIMEOUT; default 60s, -t's). Their config
/// keys are zabbix.server, zabbix.server-port and zabbix.sender-timeout, in the [zabbix] section
/// the API client's options share; no name clashes with connection_options().
CONCIERGE_ZABBIX_API std::vector<sdk::OptionSpec> sender_options();

/// SenderSettings from those options, with the context set. Throws sdk::Error(Usage) for a
/// missing or malformed server or port.
CONCIERGE_ZABBIX_API SenderSettings sender_settings_from(sdk::Context& ctx);

}  // namespace concierge::zabbix
