// What the SDK's network clients (Zabbix, Docker) share: one-line error text, the process-wide
// OpenSSL setup and the certificate name check. Compiled into each client library, never exported.
#pragma once

#include <Poco/Net/Context.h>

#include <chrono>
#include <string>
#include <string_view>

namespace concierge::net_support {

/// One printable line of a server's or a library's text: newlines and tabs become spaces,
/// terminal escape sequences and other controls are dropped (sdk::printable).
std::string one_line(std::string_view text);

/// "2.5 s": a timeout for a message.
std::string seconds(std::chrono::milliseconds timeout);

/// The OpenSSL setup POCO wants before the first Context; once per process, never torn down,
/// because sessions may still run in other threads while statics are destroyed.
void initialise_ssl();

/// Makes OpenSSL check the server certificate's names against `host` (a DNS name or an IP
/// address) during the handshake: POCO 1.11's own check after it is loose (it accepted a
/// certificate for 127.0.0.1 when the URL said localhost). Returns false for an unusable host.
bool check_host_name(Poco::Net::Context& context, const std::string& host);

}  // namespace concierge::net_support
