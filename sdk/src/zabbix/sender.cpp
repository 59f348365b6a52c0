// The Zabbix sender protocol: "sender data" requests to a trapper port, framed by the ZBXD header.
#include <concierge/zabbix/json_scan.hpp>
#include <concierge/zabbix/sender.hpp>

#include "../common/net_support.hpp"
#include "declared_option.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <functional>

#include <sys/socket.h>

namespace concierge::zabbix {
namespace {

using net_support::one_line;
using sdk::ExitCode;
using std::chrono::steady_clock;

constexpr std::string_view magic = "ZBXD";
constexpr unsigned char flag_protocol = 0x01, flag_compressed = 0x02, flag_large = 0x04;
constexpr std::size_t header_size = 13;  // magic, flags, 4-byte length, 4 reserved bytes
// The most a Zabbix server accepts in one request (1 GiB from 4.0 on).
constexpr std::size_t max_request = std::size_t{1} << 30;
constexpr std::string_view option_prefix = "zabbix-";

struct Endpoint {
    std::string host;
    std::uint16_t port = 0;
};

[[noreturn]] void bad_server(std::string_view text, std::string_view why) {
    throw sdk::Error(ExitCode::Usage, "the Zabbix server '" + one_line(text) + "' (--zabbix-server, ZBX_SERVER_HOST) is not " +
                                          "a host or host:port: " + std::string(why));
}

std::uint16_t parse_port(std::string_view server, std::string_view text) {
    unsigned port = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535)
        bad_server(server, "the port must be a number from 1 to 65535");
    return static_cast<std::uint16_t>(port);
}

// "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address; a port given wins over `port`.
Endpoint parse_server(std::string_view server, std::uint16_t port) {
    std::string_view text = server;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    if (text.empty()) bad_server(server, "it is empty");
    if (text.find("://") != std::string_view::npos || text.find('/') != std::string_view::npos)
        bad_server(server, "give the trapper's host, not a URL");

    Endpoint endpoint{std::string(text), port};
    bool ipv6 = false;
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) bad_server(server, "an IPv6 address lacks its ']'");
        endpoint.host = std::string(text.substr(1, close - 1));
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') bad_server(server, "text follows the ']'");
            endpoint.port = parse_port(server, rest.substr(1));
        }
        ipv6 = true;
    } else if (const auto colon = text.find(':'); colon != std::string_view::npos) {
        if (text.find(':', colon + 1) != std::string_view::npos) {
            ipv6 = true;  // a bare IPv6 address: its port can only come separately
        } else {
            endpoint.host = std::string(text.substr(0, colon));
            endpoint.port = parse_port(server, text.substr(colon + 1));
        }
    }
    const auto allowed = [ipv6](unsigned char c) {
        return ipv6 ? std::isxdigit(c) || c == ':' || c == '.' : std::isalnum(c) || c == '.' || c == '-' || c == '_';
    };
    if (endpoint.host.empty() || !std::all_of(endpoint.host.begin(), endpoint.host.end(), allowed))
        bad_server(server, ipv6 ? "not an IPv6 address" : "not a host name or address");
    return endpoint;
}

void append_le32(std::string& out, std::uint32_t value) {
    for (int byte = 0; byte < 4; ++byte) out += static_cast<char>((value >> (8 * byte)) & 0xff);
}

// One request: the ZBXD header and the "sender data" JSON of values [first, first + count).
std::string request_packet(const std::vector<TrapperValue>& values, std::size_t first, std::size_t count) {
    std::string json = R"({"request":"sender data","data":[)";
    for (std::size_t i = first; i < first + count; ++i) {
        const TrapperValue& value = values[i];
        if (i != first) json += ',';
        json += R"({"host":)";
        json += json::quote(value.host);
        json += R"(,"key":)";
        json += json::quote(value.key);
        json += R"(,"value":)";
        json += json::quote(value.value);
        if (value.clock) {
            json += R"(,"clock":)";
            json += std::to_string(*value.clock);
            if (value.ns) {
                json += R"(,"ns":)";
                json += std::to_string(*value.ns);
            }
        }
        json += '}';
    }
    // The time of sending: the server shifts the values' clocks by its difference from its own.
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now);
    json += R"(],"clock":)";
    json += std::to_string(seconds.count());
    json += R"(,"ns":)";
    json += std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now - seconds).count());
    json += '}';
    if (json.size() > max_request)
        throw sdk::Error(ExitCode::InvalidInput, "values " + std::to_string(first + 1) + " to " + std::to_string(first + count) +
                                                     " make a request of " + net_support::mebibytes(json.size()) +
                                                     ", more than the 1 GiB a Zabbix server accepts; send fewer per request");

    std::string packet(magic);
    packet += static_cast<char>(flag_protocol);
    append_le32(packet, static_cast<std::uint32_t>(json.size()));
    append_le32(packet, 0);
    return packet + json;
}

// The number after `word` (and an optional colon) in the server's info, any case:
// "processed: 1; failed: 0; ..." (and the "Processed 1 Failed 0 ..." of old servers).
std::optional<std::int64_t> count_in(std::string_view info, std::string_view word) {
    std::string lower(info);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto at = lower.find(word);
    if (at == std::string::npos) return std::nullopt;
    std::string_view rest = std::string_view(lower).substr(at + word.size());
    while (!rest.empty() && (rest.front() == ':' || rest.front() == ' ')) rest.remove_prefix(1);
    std::int64_t count = 0;
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), count);
    if (error != std::errc() || end == rest.data()) return std::nullopt;
    return count;
}

}  // namespace

struct Sender::Impl {
    Impl(const SenderSettings& settings, Endpoint endpoint)
        : settings(settings), endpoint(std::move(endpoint)), address(address_of(this->endpoint)), watch(settings.context) {}

    static std::string address_of(const Endpoint& endpoint) {
        // Appended piece by piece: g++ 12 -O3 warns falsely (-Wrestrict) on "[" + std::string.
        const bool ipv6 = endpoint.host.find(':') != std::string::npos;
        std::string text;
        if (ipv6) text += '[';
        text += endpoint.host;
        if (ipv6) text += ']';
        text += ':';
        text += std::to_string(endpoint.port);
        return text;
    }

    /// One request on its own connection: the server's answer, counted into `result`.
    void exchange(const std::string& packet, SendResult& result);
    std::string answer_of(Poco::Net::StreamSocket& socket, const std::function<Poco::Timespan()>& remaining);
    void count(const std::string& answer, SendResult& result) const;
    sdk::Error remote_error(const std::string& what) const {
        return sdk::Error(ExitCode::RemoteError, "the Zabbix server at " + address + " " + what);
    }

    const SenderSettings& settings;
    Endpoint endpoint;
    std::string address;  // host:port for messages
    net_support::CancelWatch watch;
};

namespace {

// Reads up to `want` bytes; fewer only when the server closed the connection.
std::size_t read_up_to(Poco::Net::StreamSocket& socket, char* into, std::size_t want,
                       const std::function<Poco::Timespan()>& remaining) {
    std::size_t got = 0;
    while (got < want) {
        socket.setReceiveTimeout(remaining());
        const int read = socket.receiveBytes(into + got, static_cast<int>(std::min<std::size_t>(want - got, 1 << 20)));
        if (read <= 0) break;
        got += static_cast<std::size_t>(read);
    }
    return got;
}

}  // namespace

std::string Sender::Impl::answer_of(Poco::Net::StreamSocket& socket, const std::function<Poco::Timespan()>& remaining) {
    std::array<char, header_size> header{};
    const std::size_t got = read_up_to(socket, header.data(), header.size(), remaining);
    if (got == 0)
        throw sdk::Error(ExitCode::Unreachable, "cannot reach the Zabbix server at " + address +
                                                    ": it closed the connection without an answer; is that its trapper port?");
    if (std::string_view(header.data(), std::min(got, magic.size())) != magic.substr(0, std::min(got, magic.size())))
        throw remote_error("answered with something that is not the Zabbix protocol: '" +
                           one_line(std::string_view(header.data(), got)) + (got == header.size() ? "...'" : "'") +
                           "; is that its trapper port?");
    if (got < header.size())
        throw remote_error("cut its answer off in the header (" + std::to_string(got) + " of " +
                           std::to_string(header.size()) + " bytes)");
    const auto flags = static_cast<unsigned char>(header[4]);
    if (flags & flag_compressed)
        throw remote_error("answered compressed (protocol flag 0x02), which this sender does not read");
    if (flags & flag_large) throw remote_error("answered with a large packet (protocol flag 0x04), which this sender does not read");
    if (flags != flag_protocol) {
        constexpr char hex[] = "0123456789abcdef";
        throw remote_error(std::string("answered with unknown protocol flags 0x") + hex[flags >> 4] + hex[flags & 0xf]);
    }
    // The 4-byte length and the reserved 4 bytes read as one 8-byte length: what servers before
    // 4.0 sent, and the same number from later ones, whose reserved bytes are zero uncompressed.
    std::uint64_t length = 0;
    for (std::size_t byte = 0; byte < 8; ++byte)
        length |= std::uint64_t{static_cast<unsigned char>(header[5 + byte])} << (8 * byte);
    if (length > settings.max_response)
        throw remote_error("announced an answer of " + std::to_string(length) + " bytes, more than the " +
                           net_support::mebibytes(settings.max_response) + " cap");
    std::string answer(static_cast<std::size_t>(length), '\0');
    const std::size_t body = read_up_to(socket, answer.data(), answer.size(), remaining);
    if (body < answer.size())
        throw remote_error("cut its answer off after " + std::to_string(body) + " of " + std::to_string(length) + " bytes");
    return answer;
}

void Sender::Impl::count(const std::string& answer, SendResult& result) const {
    const auto malformed = [&](const std::string& why) {
        const std::string start = one_line(std::string_view(answer).substr(0, 120));
        return remote_error("answered with something that is not a sender response (" + why + "): '" + start +
                            (answer.size() > 120 ? "...'" : "'"));
    };
    std::optional<std::string> response, info;
    try {
        for (const auto& member : json::members(answer, json::Limits{})) {
            const bool is_response = json::key_is(member.key, "response");
            if (!is_response && !json::key_is(member.key, "info")) continue;
            if (json::kind_of(member.value) != json::Kind::String) throw malformed("its " + std::string(member.key) + " is not a string");
            (is_response ? response : info) = json::unescape(member.value);
        }
    } catch (const json::ScanError& e) {
        throw malformed(e.what());
    }
    if (!response) throw malformed("no \"response\"");
    if (*response == "failed")
        throw remote_error("refused the values: " + (info ? one_line(*info) : std::string("it gave no reason")));
    if (*response != "success") throw malformed("\"response\" is neither success nor failed");
    if (!info) throw malformed("no \"info\"");
    const auto processed = count_in(*info, "processed"), failed = count_in(*info, "failed"), total = count_in(*info, "total");
    if (!processed || !failed || !total) throw malformed("its \"info\" lacks the processed, failed and total counts");
    result.processed += *processed;
    result.failed += *failed;
    result.total += *total;
    ++result.requests;
    if (!result.info.empty()) result.info += '\n';
    result.info += one_line(*info);
}

void Sender::Impl::exchange(const std::string& packet, SendResult& result) {
    const auto deadline = steady_clock::now() + settings.timeout;
    const std::function<Poco::Timespan()> remaining = [&] {
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - steady_clock::now()).count();
        if (left <= 0) throw Poco::TimeoutException("the time limit passed");
        return Poco::Timespan(left);
    };
    std::string answer;
    try {
        Poco::Net::StreamSocket socket =
            net_support::connect_watched(watch, Poco::Net::SocketAddress(endpoint.host, endpoint.port), remaining());
        // Watched until the answer is read, and no longer once the socket closes.
        const net_support::CancelWatch::Watched watched(watch, socket.impl()->sockfd());
        socket.setNoDelay(true);
        for (std::size_t sent = 0; sent < packet.size();) {
            socket.setSendTimeout(remaining());
            const int wrote = socket.sendBytes(packet.data() + sent,
                                               static_cast<int>(std::min<std::size_t>(packet.size() - sent, 1 << 20)), MSG_NOSIGNAL);
            if (wrote <= 0) throw Poco::IOException("sending the values failed");
            sent += static_cast<std::size_t>(wrote);
        }
        answer = answer_of(socket, remaining);
    } catch (const Poco::Exception& e) {  // a timeout, refused, host not found, reset...
        net_support::throw_network_failure(e, "the Zabbix server at " + address, settings.timeout, "ZBX_SERVER_HOST",
                                           "ZBX_SENDER_TIMEOUT");
    }
    count(answer, result);
}

Sender::Sender(SenderSettings settings) : settings_(std::move(settings)) {
    impl_ = std::make_unique<Impl>(settings_, parse_server(settings_.server, settings_.port));
}

Sender::~Sender() = default;

const std::string& Sender::address() const noexcept { return impl_->address; }

SendResult Sender::send(const std::vector<TrapperValue>& values) {
    SendResult result;
    const std::size_t per_request = std::max<std::size_t>(1, settings_.values_per_request);
    for (std::size_t first = 0; first < values.size(); first += per_request) {
        const std::size_t count = std::min(per_request, values.size() - first);
        try {
            const std::string packet = request_packet(values, first, count);
            impl_->watch.run("the Zabbix server at " + impl_->address, [&] { impl_->exchange(packet, result); });
        } catch (const sdk::Error& e) {
            if (first == 0) throw;
            throw sdk::Error(e.code(), std::string(e.what()) + " (" + std::to_string(first) + " of the " +
                                           std::to_string(values.size()) + " values were sent by earlier requests)");
        }
    }
    return result;
}

std::vector<sdk::OptionSpec> sender_options() {
    auto server = declared_option("zabbix", "server",
                                  "Zabbix server or proxy that takes trapper values: host or host:port (zabbix_sender -z)",
                                  "ZBX_SERVER_HOST,ZBX_SERVER");
    server.required = true;
    auto port = declared_option("zabbix", "server-port", "its trapper port, when --zabbix-server names none (zabbix_sender -p)",
                                "ZBX_SERVER_PORT");
    port.type = sdk::OptionType::Integer;
    port.default_value = "10051";
    auto timeout = declared_option("zabbix", "sender-timeout",
                                   "time limit of each request to the trapper (zabbix_sender -t)", "ZBX_SENDER_TIMEOUT");
    timeout.type = sdk::OptionType::Duration;
    timeout.default_value = "60s";
    std::vector<sdk::OptionSpec> options{server, port, timeout};
    for (auto& spec : options) spec.name.insert(0, option_prefix);
    return options;
}

SenderSettings sender_settings_from(sdk::Context& ctx) {
    const auto name = [](std::string_view option) { return std::string(option_prefix) + std::string(option); };
    SenderSettings settings;
    if (const auto port = ctx.get_int(name("server-port"))) {
        if (*port < 1 || *port > 65535)
            throw sdk::Error(ExitCode::Usage, "--zabbix-server-port must be from 1 to 65535, not " + std::to_string(*port));
        settings.port = static_cast<std::uint16_t>(*port);
    }
    const Endpoint endpoint = parse_server(ctx.require(name("server")), settings.port);
    settings.server = endpoint.host;
    settings.port = endpoint.port;
    if (const auto timeout = ctx.get_duration(name("sender-timeout"))) {
        if (timeout->count() < 1) throw sdk::Error(ExitCode::Usage, "--zabbix-sender-timeout must be longer than 0");
        settings.timeout = *timeout;
    }
    settings.context = &ctx;
    return settings;
}

}  // namespace concierge::zabbix
