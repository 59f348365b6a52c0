// An in-process HTTP server for tests: a fake Zabbix on 127.0.0.1 (answers by the JSON-RPC
// request) or a fake Docker engine on a unix socket (answers by method and path). An answer may
// also never come: the request is held until the server goes away, for Ctrl-C tests.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace concierge::test {

struct Exchange {
    std::string authorization, content_type, body;
    std::string method, uri;  // HTTP method and request target
    std::string peer;         // the client's address: one per connection
};

class FakeServer {
public:
    /// Status and body of the answer; status no_answer holds the request until the server goes.
    using Reply = std::pair<int, std::string>;
    using Answer = std::function<Reply(const Poco::JSON::Object::Ptr&)>;  // by the JSON-RPC request
    using RawAnswer = std::function<Reply(const Exchange&)>;               // by method, path and body
    static constexpr int no_answer = 0;

    /// A fake Zabbix on 127.0.0.1; a body that is not a JSON object reaches `answer` as null.
    explicit FakeServer(Answer answer)
        : FakeServer(Poco::Net::SocketAddress("127.0.0.1", 0), [answer = std::move(answer)](const Exchange& exchange) {
              Poco::JSON::Object::Ptr parsed;
              try {
                  parsed = Poco::JSON::Parser().parse(exchange.body).extract<Poco::JSON::Object::Ptr>();
              } catch (...) {
              }
              return answer(parsed);
          }) {}

    /// A server on `address` (a unix socket path too) answering `answer(exchange)`.
    FakeServer(const Poco::Net::SocketAddress& address, RawAnswer answer)
        : FakeServer(Poco::Net::ServerSocket(address), std::move(answer)) {}

    /// A server on a listening socket of the test's (a SecureServerSocket for HTTPS).
    FakeServer(const Poco::Net::ServerSocket& socket, RawAnswer answer) : answer_(std::move(answer)) {
        auto params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(4);
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
        server_->start();
    }

    ~FakeServer() {
        {
            std::lock_guard lock(mutex_);
            closing_ = true;
        }
        changed_.notify_all();
        server_->stopAll(true);
        // A handler still busy (the client gave up waiting) must finish before the server and,
        // at the end, the process's statics go away.
        for (int i = 0; i < 500 && server_->currentConnections() > 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    /// Answers in chunks, without a Content-Length; set before the first request.
    std::atomic<bool> chunked{false};

    std::uint16_t port() const { return server_->port(); }
    std::string url(const std::string& scheme = "http") const {
        return scheme + "://127.0.0.1:" + std::to_string(port()) + "/api_jsonrpc.php";
    }

    std::vector<Exchange> exchanges() {
        std::lock_guard lock(mutex_);
        return exchanges_;
    }

    /// Waits until a request whose body or target contains `text` has arrived; true if one did.
    bool wait_for_request(const std::string& text, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] {
            for (const auto& exchange : exchanges_)
                if (exchange.body.find(text) != std::string::npos || exchange.uri.find(text) != std::string::npos) return true;
            return false;
        });
    }

private:
    struct Handler : Poco::Net::HTTPRequestHandler {
        explicit Handler(FakeServer& server) : server(server) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
            Exchange exchange{request.get("Authorization", ""), request.getContentType(), {},
                              request.getMethod(),          request.getURI(),         request.clientAddress().toString()};
            Poco::StreamCopier::copyToString(request.stream(), exchange.body);
            {
                std::lock_guard lock(server.mutex_);
                server.exchanges_.push_back(exchange);
            }
            server.changed_.notify_all();
            auto [status, body] = server.answer_(exchange);
            if (status == no_answer) {
                std::unique_lock lock(server.mutex_);
                server.changed_.wait(lock, [this] { return server.closing_; });
                return;
            }
            response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
            response.setContentType("application/json");
            if (server.chunked) response.setChunkedTransferEncoding(true);  // no length announced
            else response.setContentLength(static_cast<std::streamsize>(body.size()));
            response.send() << body;
        }
        FakeServer& server;
    };
    struct Factory : Poco::Net::HTTPRequestHandlerFactory {
        explicit Factory(FakeServer& server) : server(server) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(server);
        }
        FakeServer& server;
    };

    RawAnswer answer_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool closing_ = false;
    std::vector<Exchange> exchanges_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

/// A JSON-RPC result answering `request`.
inline std::string reply(const Poco::JSON::Object::Ptr& request, const std::string& result_json) {
    return R"({"jsonrpc":"2.0","result":)" + result_json + R"(,"id":)" + request->get("id").toString() + "}";
}

}  // namespace concierge::test
