#include "net_support.hpp"

#include <concierge/sdk/printable.hpp>

#include <Poco/Error.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/NetSSL.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <mutex>

#include <sys/socket.h>

namespace concierge::net_support {

std::string one_line(std::string_view text) { return sdk::printable(text); }

std::string seconds(std::chrono::milliseconds timeout) {
    // Appended piece by piece: g++ 12 -O2 warns falsely (-Wrestrict) on "." + std::to_string().
    const auto tenths = timeout.count() / 100;
    std::string text = std::to_string(tenths / 10);
    if (tenths % 10) {
        text += '.';
        text += std::to_string(tenths % 10);
    }
    text += " s";
    return text;
}

std::string mebibytes(std::uint64_t bytes) {
    constexpr std::uint64_t mib = 1024 * 1024;
    return bytes % mib == 0 ? std::to_string(bytes / mib) + " MiB" : std::to_string(bytes) + " bytes";
}

Poco::Net::StreamSocket connect_watched(CancelWatch& watch, const Poco::Net::SocketAddress& address, Poco::Timespan timeout) {
    Poco::Net::StreamSocket socket;
    socket.connectNB(address);
    {
        const CancelWatch::Watched watched(watch, socket.impl()->sockfd());
        if (!socket.poll(timeout, Poco::Net::Socket::SELECT_WRITE | Poco::Net::Socket::SELECT_ERROR))
            throw Poco::TimeoutException("connect timed out", address.toString());
    }
    if (const int error = socket.impl()->socketError()) {
        if (error == ECONNREFUSED) throw Poco::Net::ConnectionRefusedException(address.toString());
        throw Poco::Net::NetException(Poco::Error::getMessage(error) + ": " + address.toString(), error);
    }
    socket.setBlocking(true);
    return socket;
}

namespace {

template <class Base>
class WatchedSession final : public Base {
public:
    template <class... Args>
    WatchedSession(CancelWatch& watch, Poco::Net::Context::Ptr tls, Args&&... args)
        : Base(std::forward<Args>(args)...), watch_(watch), tls_(std::move(tls)) {}

protected:
    // Called by POCO for the first request and whenever a kept-alive connection must be renewed.
    void connect(const Poco::Net::SocketAddress& address) override {
        const Poco::Timespan timeout = this->getTimeout();  // setTimeout gave all three the same
        Poco::Net::StreamSocket socket = connect_watched(watch_, address, timeout);
        socket.setNoDelay(true);
        socket.setReceiveTimeout(timeout);
        socket.setSendTimeout(timeout);
        if (!tls_) {
            this->attachSocket(socket);
            return;
        }
        const CancelWatch::Watched watched(watch_, socket.impl()->sockfd());  // the handshake
        this->attachSocket(Poco::Net::SecureStreamSocket::attach(socket, this->getHost(), tls_));
    }

private:
    CancelWatch& watch_;
    Poco::Net::Context::Ptr tls_;
};

}  // namespace

std::unique_ptr<Poco::Net::HTTPClientSession> watched_session(CancelWatch& watch, const std::string& host,
                                                              std::uint16_t port, Poco::Net::Context::Ptr tls) {
    if (tls) return std::make_unique<WatchedSession<Poco::Net::HTTPSClientSession>>(watch, tls, host, port, tls);
    return std::make_unique<WatchedSession<Poco::Net::HTTPClientSession>>(watch, nullptr, host, port);
}

void throw_network_failure(const Poco::Exception& e, const std::string& peer, std::chrono::milliseconds timeout,
                           std::string_view host_variable, std::string_view timeout_variable) {
    const std::string check = "; check " + std::string(host_variable);
    if (dynamic_cast<const Poco::TimeoutException*>(&e))
        throw sdk::Error(sdk::ExitCode::Unreachable, "cannot reach " + peer + ": no answer within " + seconds(timeout) + check +
                                                         " or raise " + std::string(timeout_variable));
    if (dynamic_cast<const Poco::IOException*>(&e))
        throw sdk::Error(sdk::ExitCode::Unreachable, "cannot reach " + peer + ": " + one_line(e.displayText()) + check);
    throw sdk::Error(sdk::ExitCode::Failure, "calling " + peer + " failed: " + one_line(e.displayText()));
}

sdk::OptionSpec integer_spec(sdk::OptionSpec spec, std::int64_t default_value) {
    spec.type = sdk::OptionType::Integer;
    spec.default_value = std::to_string(default_value);
    return spec;
}

std::optional<std::size_t> count_option(const sdk::Context& ctx, const std::string& name, std::size_t most) {
    const auto value = ctx.get_int(name);
    if (!value) return std::nullopt;
    if (*value < 1 || static_cast<std::uint64_t>(*value) > most) {
        std::string range = "from 1";
        if (most != std::numeric_limits<std::size_t>::max()) range += " to " + std::to_string(most);
        throw sdk::Error(sdk::ExitCode::Usage, "--" + name + " must be " + range + ", not " + std::to_string(*value));
    }
    return static_cast<std::size_t>(*value);
}

sdk::OptionSpec mebibytes_spec(sdk::OptionSpec spec, int default_mib) { return integer_spec(std::move(spec), default_mib); }

std::optional<std::uint64_t> mebibytes_option(const sdk::Context& ctx, const std::string& name) {
    const auto value = ctx.get_int(name);
    if (!value) return std::nullopt;
    // Above 2^43 MiB the bytes would not fit; no answer comes near either bound.
    if (*value < 1 || *value > (std::int64_t{1} << 43))
        throw sdk::Error(sdk::ExitCode::Usage, "--" + name + " must be a size in MiB from 1, not " + std::to_string(*value));
    return static_cast<std::uint64_t>(*value) << 20;
}

Deadline::Deadline(std::chrono::milliseconds limit) {
    // A limit of centuries would overflow the clock: a year is as good as none.
    constexpr std::chrono::milliseconds year = std::chrono::hours(24 * 365);
    at_ = std::chrono::steady_clock::now() + std::min(limit, year);
}

CancelWatch::CancelWatch(sdk::Context* context) : context_(context) {}

CancelWatch::~CancelWatch() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void CancelWatch::watch_until_cancelled() {
    // The context can only be asked with a timeout: it is asked in short slices while a call is
    // in flight, and not at all while none is (so an idle client costs nothing). A slice under way
    // when the client is destroyed is waited out, so each slice is short: with 50 ms slices every
    // run paid ~40 ms per client at exit (bench/autoscale.sh), with 5 ms it pays a poll(2) wake-up
    // 200 times a second during a call. Deadlines are checked between slices.
    constexpr std::chrono::milliseconds slice{5};
    std::unique_lock lock(mutex_);
    while (true) {
        changed_.wait(lock, [this] { return stopping_ || !watched_.empty(); });
        if (stopping_) return;
        const auto next_deadline = end_expired();
        if (!context_) {
            // Only deadlines to watch: sleep until the next one, or until a socket comes or goes.
            if (next_deadline)
                changed_.wait_until(lock, *next_deadline);
            else
                changed_.wait(lock);
            continue;
        }
        lock.unlock();
        const bool cancelled = context_->wait_for_cancel(slice);
        lock.lock();
        if (cancelled) {
            fired_ = true;
            for (const auto& entry : watched_) ::shutdown(entry.fd, SHUT_RDWR);
            return;
        }
    }
}

std::optional<std::chrono::steady_clock::time_point> CancelWatch::end_expired() {
    const auto now = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> next;
    for (const auto& entry : watched_) {
        if (!entry.deadline || entry.deadline->passed()) continue;
        if (entry.deadline->at_ <= now) {
            entry.deadline->passed_ = true;
            ::shutdown(entry.fd, SHUT_RDWR);
        } else if (!next || entry.deadline->at_ < *next) {
            next = entry.deadline->at_;
        }
    }
    return next;
}

bool CancelWatch::cancelled() const noexcept { return context_ && context_->cancelled(); }

void CancelWatch::interrupted(std::string_view what) {
    throw sdk::Error(sdk::ExitCode::Interrupted, "interrupted while waiting for " + std::string(what));
}

void CancelWatch::past_deadline(const std::string& expired) { throw sdk::Error(sdk::ExitCode::RemoteError, expired); }

CancelWatch::Watched::Watched(CancelWatch& watch, int fd, Deadline* deadline) : watch_(watch), fd_(fd) {
    if (!watch_.context_ && !deadline) return;
    {
        std::lock_guard lock(watch_.mutex_);
        // Registered under the lock the watcher shuts sockets down with, and removed before the
        // caller closes the descriptor, so a number reused by another socket is never touched.
        if (watch_.fired_ || watch_.cancelled()) {
            ::shutdown(fd_, SHUT_RDWR);
            return;
        }
        if (deadline && !deadline->passed() && deadline->at_ <= std::chrono::steady_clock::now()) deadline->passed_ = true;
        if (deadline && deadline->passed()) {
            ::shutdown(fd_, SHUT_RDWR);
            return;
        }
        watch_.watched_.push_back({fd_, deadline});
        registered_ = true;
        // Started with the first watched call, so a client that never calls costs no thread.
        if (!watch_.thread_.joinable()) watch_.thread_ = std::thread([&watch = watch_] { watch.watch_until_cancelled(); });
    }
    watch_.changed_.notify_all();
}

CancelWatch::Watched::~Watched() {
    if (!registered_) return;
    {
        std::lock_guard lock(watch_.mutex_);
        auto& entries = watch_.watched_;
        if (auto found = std::find_if(entries.begin(), entries.end(), [this](const Entry& e) { return e.fd == fd_; });
            found != entries.end())
            entries.erase(found);
    }
    watch_.changed_.notify_all();  // a watcher sleeping until this socket's deadline need not wait for it
}

std::string read_capped(std::istream& from, std::int64_t announced, std::uint64_t cap,
                        const std::function<void()>& too_large, const std::function<void(std::uint64_t)>& cut_short) {
    if (announced >= 0 && static_cast<std::uint64_t>(announced) > cap) too_large();
    std::string body;
    if (announced > 0) body.reserve(static_cast<std::size_t>(announced));
    char buffer[64 * 1024];
    while (from.read(buffer, sizeof buffer) || from.gcount() > 0) {
        const auto got = static_cast<std::size_t>(from.gcount());
        if (body.size() + got > cap) too_large();
        // Grown by doubling as append would, but never past the cap: an answer at the cap holds at
        // most the cap, not twice it.
        if (body.size() + got > body.capacity())
            body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(cap, std::max<std::uint64_t>(body.size() + got, 2 * body.capacity()))));
        body.append(buffer, got);
    }
    // A connection closed early ends the stream like a complete answer: only the length tells.
    if (announced >= 0 && !from.bad() && body.size() < static_cast<std::uint64_t>(announced)) cut_short(body.size());
    return body;
}

void initialise_ssl() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

bool check_host_name(Poco::Net::Context& context, const std::string& host) {
    X509_VERIFY_PARAM* check = SSL_CTX_get0_param(context.sslContext());
    X509_VERIFY_PARAM_set_hostflags(check, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    Poco::Net::IPAddress address;
    const int named = Poco::Net::IPAddress::tryParse(host, address) ? X509_VERIFY_PARAM_set1_ip_asc(check, host.c_str())
                                                                    : X509_VERIFY_PARAM_set1_host(check, host.c_str(), 0);
    return named == 1;
}

}  // namespace concierge::net_support
