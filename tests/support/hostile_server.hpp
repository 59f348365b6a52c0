// A raw HTTP server for tests that says what no real Zabbix or Docker engine can be made to say:
// any status line and headers, a Content-Length that lies either way, a body written in pieces
// with pauses (a trickle), cut off mid-way, or generated lazily so that a "huge" answer never sits
// in the test's memory. FakeServer (POCO's HTTPServer) cannot lie about lengths; this one writes
// the bytes itself, one request per connection ("Connection: close").
//
// A fake Zabbix on 127.0.0.1 answers by JSON-RPC method, a fake Docker engine on a unix socket by
// "METHOD /path" (the /v1.NN prefix and the query dropped). What the script leaves out answers as
// a healthy server would, so the hostile answer reaches the call under test.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace concierge::test {

class HostileServer {
public:
    struct Request {
        std::string method, target, body;  // HTTP method, request target, body
        std::string key;                     // what a script is chosen by: the JSON-RPC method, or "GET /path"
        std::string rpc_id = "1";            // the JSON-RPC id to answer with
    };

    /// Writes more of a body; false once the client has gone.
    using Sink = std::function<bool(std::string_view)>;

    struct Reply {
        std::string status = "200 OK";
        std::string body;
        /// Announced length; the body's own size when unset, none at all when `stream` is set.
        std::optional<std::uint64_t> content_length;
        std::vector<std::string> headers;  ///< more raw header lines, without CRLF
        std::size_t piece = 0;             ///< write the body this many bytes at a time...
        std::chrono::milliseconds pause{0};  ///< ...with this pause after each piece
        /// Written after `body`, lazily, until it returns (or the client goes away).
        std::function<void(const Sink&)> stream;
    };

    using Script = std::function<Reply(const Request&)>;

    /// A fake Zabbix frontend on 127.0.0.1: `scripts` by JSON-RPC method.
    static HostileServer zabbix(std::map<std::string, Script> scripts) {
        return HostileServer(loopback(), std::move(scripts), &zabbix_default);
    }

    /// A fake Docker engine on the unix socket `path`: `scripts` by "METHOD /path".
    static HostileServer docker(const std::string& path, std::map<std::string, Script> scripts) {
        return HostileServer(unix_socket(path), std::move(scripts), &docker_default);
    }

    HostileServer(HostileServer&& other) = delete;
    HostileServer& operator=(const HostileServer&) = delete;

    ~HostileServer() {
        stopping_ = true;
        ::shutdown(listener_, SHUT_RDWR);
        if (acceptor_.joinable()) acceptor_.join();
        std::vector<std::thread> connections;
        {
            std::lock_guard lock(mutex_);
            connections.swap(connections_);
        }
        for (auto& thread : connections) thread.join();
        ::close(listener_);
        if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api_jsonrpc.php"; }
    std::string docker_host() const { return "unix://" + unix_path_; }

    /// Every request's key, in arrival order.
    std::vector<std::string> keys() {
        std::lock_guard lock(mutex_);
        return keys_;
    }

    // ---- replies --------------------------------------------------------------------------

    /// A JSON-RPC answer to `request` whose result is `result_json`.
    static std::string rpc_result(const Request& request, const std::string& result_json) {
        std::string body = R"({"jsonrpc":"2.0","result":)";
        body.append(result_json).append(R"(,"id":)").append(request.rpc_id).append("}");
        return body;
    }

    static Reply json(std::string body, std::string status = "200 OK") {
        Reply reply;
        reply.status = std::move(status);
        reply.body = std::move(body);
        return reply;
    }

    /// `count` copies of `text`, written 64 KiB at a time.
    static std::function<void(const Sink&)> repeat(std::string text, std::uint64_t count) {
        return [text = std::move(text), count](const Sink& sink) {
            std::string block;
            const std::uint64_t per_block = std::max<std::uint64_t>(1, 65536 / text.size());
            for (std::uint64_t i = 0; i < per_block; ++i) block += text;
            for (std::uint64_t written = 0; written < count; written += per_block)
                if (!sink(std::string_view(block).substr(0, std::min(per_block, count - written) * text.size()))) return;
        };
    }

private:
    HostileServer(int listener, std::map<std::string, Script> scripts, Reply (*fallback)(const Request&))
        : listener_(listener), scripts_(std::move(scripts)), fallback_(fallback) {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        if (address.ss_family == AF_INET) port_ = ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
        else unix_path_ = reinterpret_cast<sockaddr_un*>(&address)->sun_path;
        acceptor_ = std::thread([this] { accept_loop(); });
    }

    static int loopback() {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 16) != 0)
            throw std::runtime_error("HostileServer: cannot listen on 127.0.0.1");
        return fd;
    }

    static int unix_socket(const std::string& path) {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (path.size() >= sizeof address.sun_path) throw std::runtime_error("HostileServer: socket path too long");
        std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 16) != 0)
            throw std::runtime_error("HostileServer: cannot listen on " + path);
        return fd;
    }

    static Reply zabbix_default(const Request& request) {
        if (request.key == "apiinfo.version") return json(rpc_result(request, R"("6.0.14")"));
        if (request.key == "user.login") return json(rpc_result(request, R"("0424bd59b807674191e7d77572075f33")"));
        if (request.key == "user.logout") return json(rpc_result(request, "true"));
        if (request.key == "configuration.export")
            return json(rpc_result(request, R"("{\"zabbix_export\":{\"version\":\"6.0\",\"date\":\"2026-12-03T00:00:00Z\"}}")"));
        return json(rpc_result(request, "[]"));
    }

    static Reply docker_default(const Request& request) {
        if (request.key == "GET /_ping") return json("OK");
        if (request.key == "GET /version") return json(R"({"ApiVersion":"1.43","Version":"24.0.7","MinAPIVersion":"1.12"})");
        return json(R"({"message":"page not found"})", "404 Not Found");
    }

    void accept_loop() {
        while (!stopping_) {
            pollfd ready{listener_, POLLIN, 0};
            if (::poll(&ready, 1, 100) <= 0) continue;
            const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (connection < 0) continue;
            std::lock_guard lock(mutex_);
            connections_.emplace_back([this, connection] {
                serve(connection);
                ::close(connection);
            });
        }
    }

    // Reads until `done` says the request is complete; false when the client went or we stop.
    bool read_until(int fd, std::string& buffer, const std::function<bool()>& done) {
        char chunk[65536];
        while (!done()) {
            if (stopping_) return false;
            pollfd ready{fd, POLLIN, 0};
            if (::poll(&ready, 1, 100) <= 0) continue;
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) return false;
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        return true;
    }

    void serve(int fd) {
        std::string buffer;
        if (!read_until(fd, buffer, [&] { return buffer.find("\r\n\r\n") != std::string::npos; })) return;
        const std::size_t head_end = buffer.find("\r\n\r\n") + 4;
        std::string head = buffer.substr(0, head_end);
        std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
        std::size_t length = 0;
        if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos)
            length = std::stoul(head.substr(at + 17));
        if (!read_until(fd, buffer, [&] { return buffer.size() >= head_end + length; })) return;

        Request request;
        const std::size_t space = buffer.find(' ');
        request.method = buffer.substr(0, space);
        request.target = buffer.substr(space + 1, buffer.find(' ', space + 1) - space - 1);
        request.body = buffer.substr(head_end, length);
        if (port_) rpc_key(request);
        else docker_key(request);
        {
            std::lock_guard lock(mutex_);
            keys_.push_back(request.key);
        }
        const auto script = scripts_.find(request.key);
        write_reply(fd, script != scripts_.end() ? script->second(request) : fallback_(request));
    }

    static void rpc_key(Request& request) {
        try {
            const auto rpc = Poco::JSON::Parser().parse(request.body).extract<Poco::JSON::Object::Ptr>();
            request.key = rpc->optValue<std::string>("method", "");
            request.rpc_id = rpc->get("id").toString();
        } catch (const Poco::Exception&) {
        }
    }

    static void docker_key(Request& request) {
        std::string path = request.target.substr(0, request.target.find('?'));
        if (path.starts_with("/v1.")) path.erase(0, path.find('/', 1));
        request.key = request.method + " " + path;
    }

    bool send_all(int fd, std::string_view data) {
        while (!data.empty()) {
            if (stopping_) return false;
            const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    void write_reply(int fd, const Reply& reply) {
        std::string head = "HTTP/1.1 " + reply.status + "\r\nContent-Type: application/json\r\nConnection: close\r\n";
        if (reply.content_length || !reply.stream)
            head.append("Content-Length: ").append(std::to_string(reply.content_length.value_or(reply.body.size()))).append("\r\n");
        for (const auto& line : reply.headers) head.append(line).append("\r\n");
        head += "\r\n";
        if (!send_all(fd, head)) return;
        const std::size_t piece = reply.piece ? reply.piece : std::max<std::size_t>(reply.body.size(), 1);
        for (std::size_t at = 0; at < reply.body.size(); at += piece) {
            if (!send_all(fd, std::string_view(reply.body).substr(at, piece))) return;
            for (auto slept = std::chrono::milliseconds(0); slept < reply.pause && !stopping_; slept += std::chrono::milliseconds(10))
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (reply.stream) reply.stream([&](std::string_view data) { return send_all(fd, data); });
        ::shutdown(fd, SHUT_WR);
        // Until the client has read everything and closed: closing first could reset the connection.
        std::string ignored;
        read_until(fd, ignored, [] { return false; });
    }

    int listener_;
    std::uint16_t port_ = 0;
    std::string unix_path_;
    std::map<std::string, Script> scripts_;
    Reply (*fallback_)(const Request&);
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<std::string> keys_;
    std::vector<std::thread> connections_;
    std::thread acceptor_;
};

}  // namespace concierge::test
