// A server that answers too slowly on purpose: it sends an answer's headers at once and then its
// body one byte every `interval`, never finishing, as a hostile or broken server might. Plain
// sockets, since an HTTP server library would not trickle. Requests whose head contains
// `quick_path` get `quick_answer` at once instead (a Docker engine's /version, say).
#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sys/socket.h>

namespace concierge::test {

class TrickleServer {
public:
    explicit TrickleServer(const Poco::Net::SocketAddress& address, std::chrono::milliseconds interval,
                           std::string quick_path = {}, std::string quick_answer = {})
        : listener_(address), interval_(interval), quick_path_(std::move(quick_path)), quick_answer_(std::move(quick_answer)) {
        accepter_ = std::thread([this] { accept_all(); });
    }
    ~TrickleServer() {
        stopping_ = true;
        ::shutdown(listener_.impl()->sockfd(), SHUT_RDWR);  // wakes accept()
        accepter_.join();
        for (auto& thread : answering_) thread.join();
    }
    TrickleServer(const TrickleServer&) = delete;
    TrickleServer& operator=(const TrickleServer&) = delete;

    std::uint16_t port() const { return listener_.address().port(); }

private:
    void accept_all() {
        while (!stopping_) {
            try {
                // Handed over whole: were this thread to keep a copy, its last reference could close
                // the socket after the answering thread's last use, through POCO's reference count,
                // which ThreadSanitizer cannot see (seen as a race in the TSan tree).
                auto client = std::make_unique<Poco::Net::StreamSocket>(listener_.acceptConnection());
                answering_.emplace_back([this, client = std::move(client)] { answer(*client); });
            } catch (...) {  // the listener shut down
                return;
            }
        }
    }

    void answer(Poco::Net::StreamSocket& client) {
        try {
            std::string head;
            char buffer[4096];
            while (head.find("\r\n\r\n") == std::string::npos) {
                const int got = client.receiveBytes(buffer, sizeof buffer);
                if (got <= 0) return;
                head.append(buffer, static_cast<std::size_t>(got));
            }
            if (!quick_path_.empty() && head.find(quick_path_) != std::string::npos) {
                std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ";
                reply += std::to_string(quick_answer_.size());
                reply += "\r\n\r\n";
                reply += quick_answer_;
                client.sendBytes(reply.data(), static_cast<int>(reply.size()));
                return;
            }
            const std::string headers = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
            client.sendBytes(headers.data(), static_cast<int>(headers.size()));
            // Whitespace: each byte is a valid start of the answer, none is its end.
            while (!stopping_ && client.sendBytes(" ", 1, MSG_NOSIGNAL) == 1) std::this_thread::sleep_for(interval_);
        } catch (...) {  // the client went away
        }
    }

    Poco::Net::ServerSocket listener_;
    std::chrono::milliseconds interval_;
    std::string quick_path_, quick_answer_;
    std::atomic<bool> stopping_{false};
    std::thread accepter_;
    std::vector<std::thread> answering_;  // touched by the accepting thread only, until it is joined
};

}  // namespace concierge::test
