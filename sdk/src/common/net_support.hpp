// What the SDK's network clients (Zabbix, Docker) share: one-line error text, the process-wide
// OpenSSL setup, the certificate name check, connections and calls that Ctrl-C ends and answers
// of capped size. Compiled into each client library, never exported.
#pragma once

#include <concierge/sdk/context.hpp>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace concierge::net_support {

/// One printable line of a server's or a library's text: newlines and tabs become spaces,
/// terminal escape sequences and other controls are dropped (sdk::printable).
std::string one_line(std::string_view text);

/// "2.5 s": a timeout for a message.
std::string seconds(std::chrono::milliseconds timeout);

/// "64 MiB": a size cap for a message.
std::string mebibytes(std::uint64_t bytes);

/// The OpenSSL setup POCO wants before the first Context; once per process, never torn down,
/// because sessions may still run in other threads while statics are destroyed.
void initialise_ssl();

/// Makes OpenSSL check the server certificate's names against `host` (a DNS name or an IP
/// address) during the handshake: POCO 1.11's own check after it is loose (it accepted a
/// certificate for 127.0.0.1 when the URL said localhost). Returns false for an unusable host.
bool check_host_name(Poco::Net::Context& context, const std::string& host);

/// The time limit of one call, from its start to the last byte of its answer: a watched socket
/// given one is shut down once it passes, so a server that trickles its answer cannot hold a run.
class Deadline {
public:
    explicit Deadline(std::chrono::milliseconds limit);
    /// Whether the limit passed while a socket was watched with it (and was shut down).
    bool passed() const noexcept { return passed_.load(); }

private:
    friend class CancelWatch;
    std::chrono::steady_clock::time_point at_;
    std::atomic<bool> passed_{false};
};

/// Ends a client's calls in flight when the run is cancelled (Ctrl-C), instead of waiting for a
/// silent server up to the timeout: while a call is watched, a thread waits on the context and,
/// on cancel, shuts the call's socket down, so its blocked send or receive fails at once.
/// shutdown(2) of a descriptor is safe from another thread, where touching POCO's session
/// object would not be. The same thread ends a call whose Deadline passes. Without a context and
/// a deadline nothing is watched.
class CancelWatch {
public:
    explicit CancelWatch(sdk::Context* context);
    ~CancelWatch();
    CancelWatch(const CancelWatch&) = delete;
    CancelWatch& operator=(const CancelWatch&) = delete;

    /// Keeps `fd` watched until it goes, and ended when `deadline` passes; shuts it down at once
    /// if the run is already cancelled or the deadline already passed.
    class Watched {
    public:
        Watched(CancelWatch& watch, int fd, Deadline* deadline = nullptr);
        ~Watched();
        Watched(const Watched&) = delete;
        Watched& operator=(const Watched&) = delete;

    private:
        CancelWatch& watch_;
        int fd_;
        bool registered_ = false;
    };

    /// Runs `call`; a failure once the run is cancelled (the socket shut down under it, or any
    /// other) becomes sdk::Error(Interrupted, "interrupted while waiting for `what`"), and so does
    /// a success, which may be an answer cut short by the shutdown. A call after the cancel fails
    /// that way before it starts.
    template <class Call>
    auto run(std::string_view what, Call&& call) -> decltype(call()) {
        if (cancelled()) interrupted(what);
        try {
            if constexpr (std::is_void_v<decltype(call())>) {
                call();
                if (cancelled()) interrupted(what);
            } else {
                auto result = call();
                if (cancelled()) interrupted(what);
                return result;
            }
        } catch (...) {
            if (cancelled()) interrupted(what);
            throw;
        }
    }

    /// run(), and a call whose `deadline` passed (its answer cut short, or any failure) ends as
    /// sdk::Error(RemoteError, `expired`); Ctrl-C still wins.
    template <class Call>
    auto run(std::string_view what, const Deadline& deadline, const std::string& expired, Call&& call) -> decltype(call()) {
        return run(what, [&] {
            try {
                auto result = call();
                if (deadline.passed()) past_deadline(expired);
                return result;
            } catch (...) {
                if (deadline.passed()) past_deadline(expired);
                throw;
            }
        });
    }

private:
    struct Entry {
        int fd;
        Deadline* deadline;
    };
    bool cancelled() const noexcept;
    [[noreturn]] static void interrupted(std::string_view what);
    [[noreturn]] static void past_deadline(const std::string& expired);
    void watch_until_cancelled();
    /// Shuts down the sockets whose deadline passed; the earliest deadline still to come.
    std::optional<std::chrono::steady_clock::time_point> end_expired();

    sdk::Context* context_;
    std::mutex mutex_;  // guards what follows
    std::condition_variable changed_;
    std::vector<Entry> watched_;
    bool stopping_ = false;
    bool fired_ = false;
    std::thread thread_;
};

/// A TCP connection to `address` made without blocking, so that `watch` can end it (Ctrl-C) while
/// it is being made; returned blocking. Throws Poco::TimeoutException after `timeout`,
/// Poco::Net::ConnectionRefusedException, or another Poco::Net::NetException.
Poco::Net::StreamSocket connect_watched(CancelWatch& watch, const Poco::Net::SocketAddress& address, Poco::Timespan timeout);

/// A new HTTP session to host:port (HTTPS with `tls`) whose connection and TLS handshake Ctrl-C
/// ends too, not only its request: the session connects its socket itself, watched by `watch`
/// from the moment the descriptor exists (POCO's own connect blocks before it can be watched).
std::unique_ptr<Poco::Net::HTTPClientSession> watched_session(CancelWatch& watch, const std::string& host,
                                                              std::uint16_t port, Poco::Net::Context::Ptr tls);

/// The sdk::Error for a failure `e` of an exchange with `peer` ("Zabbix at https://..."), thrown:
/// no answer within `timeout` -> Unreachable, naming `host_variable` and `timeout_variable`, the
/// variables that would fix it; another I/O failure (refused, name not found, reset) ->
/// Unreachable naming `host_variable`; anything else -> Failure.
[[noreturn]] void throw_network_failure(const Poco::Exception& e, const std::string& peer, std::chrono::milliseconds timeout,
                                        std::string_view host_variable, std::string_view timeout_variable);

/// `spec` as an Integer, `default_value` unless set, read by count_option.
sdk::OptionSpec integer_spec(sdk::OptionSpec spec, std::int64_t default_value);

/// The integer option `name`, a count from 1; nothing when unset. Throws sdk::Error(Usage) below 1.
std::optional<std::size_t> count_option(const sdk::Context& ctx, const std::string& name);

/// `spec` as a size cap in MiB (an Integer, `default_mib` unless set), read by mebibytes_option.
sdk::OptionSpec mebibytes_spec(sdk::OptionSpec spec, int default_mib);

/// The integer option `name`, a size in MiB, in bytes; nothing when unset. Throws
/// sdk::Error(Usage) for a size below 1 MiB.
std::optional<std::uint64_t> mebibytes_option(const sdk::Context& ctx, const std::string& name);

/// Reads `from` to its end. More than `cap` bytes, announced (`announced` >= 0, a Content-Length)
/// or received, calls `too_large`, which throws; nothing beyond the cap is kept in memory.
std::string read_capped(std::istream& from, std::int64_t announced, std::uint64_t cap,
                        const std::function<void()>& too_large);

}  // namespace concierge::net_support
