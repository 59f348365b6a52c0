#include "tls_proxy.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace concierge::test {
namespace fs = std::filesystem;

namespace {
int quietly(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }
}  // namespace

TlsProxy::TlsProxy(const std::string& upstream_url) {
    dir_ = fs::temp_directory_path() / ("concierge-tls-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device()()));
    fs::create_directories(dir_);
    const std::string d = dir_.string();
    std::ofstream(dir_ / "server.ext") << "subjectAltName = IP:127.0.0.1\n"
                                          "extendedKeyUsage = serverAuth\n";
    // A private CA and a server certificate it signed, as real-services.md describes.
    const bool made =
        quietly("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=concierge-test-ca"
                " -keyout " + d + "/ca-key.pem -out " + d + "/ca.pem") == 0 &&
        quietly("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1"
                " -keyout " + d + "/server-key.pem -out " + d + "/server.csr") == 0 &&
        quietly("openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d + "/ca-key.pem"
                " -CAcreateserial -days 2 -extfile " + d + "/server.ext -out " + d + "/server.pem") == 0;
    if (!made) {
        error_ = "openssl could not make the test certificates";
        return;
    }
    const Poco::URI upstream(upstream_url);
    {
        Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
        port_ = probe.address().port();
    }
    std::vector<std::string> args = {
        "socat",
        "OPENSSL-LISTEN:" + std::to_string(port_) + ",bind=127.0.0.1,reuseaddr,fork,verify=0,cert=" + d +
            "/server.pem,key=" + d + "/server-key.pem",
        "TCP:" + upstream.getHost() + ":" + std::to_string(upstream.getPort())};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&socat_, "socat", nullptr, nullptr, argv.data(), environ) != 0) {
        socat_ = 0;
        error_ = "cannot start socat (scripts/install-deps.sh zabbix installs it)";
        return;
    }
    for (int i = 0; i < 100; ++i) {  // up to 5 s for socat to listen
        try {
            Poco::Net::StreamSocket(Poco::Net::SocketAddress("127.0.0.1", port_)).close();
            return;
        } catch (const Poco::Exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    error_ = "socat did not listen on port " + std::to_string(port_);
}

TlsProxy::~TlsProxy() {
    if (socat_ > 0) {
        ::kill(socat_, SIGTERM);
        ::waitpid(socat_, nullptr, 0);
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

std::string TlsProxy::url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/api_jsonrpc.php"; }

}  // namespace concierge::test
