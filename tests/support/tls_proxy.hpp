// HTTPS in front of a plain-http sandbox API: socat terminating TLS with a server certificate
// for 127.0.0.1 signed by a private CA made for the occasion. The Zabbix sandbox tests use it to
// prove certificate checks (an unknown CA is refused, a trusted one works, verification can be
// turned off). socat comes with scripts/install-deps.sh zabbix.
#pragma once

#include <filesystem>
#include <string>
#include <sys/types.h>

namespace concierge::test {

class TlsProxy {
public:
    /// Starts socat forwarding to the host and port of `upstream_url`. Never throws: a failure is
    /// kept in error(), for the test to assert on.
    explicit TlsProxy(const std::string& upstream_url);
    ~TlsProxy();
    TlsProxy(const TlsProxy&) = delete;
    TlsProxy& operator=(const TlsProxy&) = delete;

    /// Empty when the proxy listens.
    const std::string& error() const noexcept { return error_; }
    int port() const noexcept { return port_; }
    /// https://127.0.0.1:PORT/api_jsonrpc.php
    std::string url() const;
    /// The private CA's certificate, to trust it.
    std::filesystem::path ca_file() const { return dir_ / "ca.pem"; }

private:
    std::filesystem::path dir_;
    pid_t socat_ = 0;
    int port_ = 0;
    std::string error_;
};

}  // namespace concierge::test
