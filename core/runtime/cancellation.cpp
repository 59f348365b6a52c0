#include "runtime/cancellation.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <stdexcept>
#include <thread>
#include <vector>
#include <unistd.h>

namespace concierge::runtime {

namespace {
// A self-pipe: the handler may only touch async-signal-safe things. Bytes are never drained from
// wake_pipe, so every waiter polling its read end wakes and stays awake.
std::atomic<int> g_first_signal{0};
std::atomic<int> g_signal_count{0};
int g_wake_pipe[2] = {-1, -1};
int g_count_pipe[2] = {-1, -1};

extern "C" void on_signal(int signal) {
    int expected = 0;
    g_first_signal.compare_exchange_strong(expected, signal);
    const int count = ++g_signal_count;
    const char byte = static_cast<char>(signal);
    if (count == 1) [[maybe_unused]] auto n = write(g_wake_pipe[1], &byte, 1);
    [[maybe_unused]] auto m = write(g_count_pipe[1], &byte, 1);
}

// SIGPIPE is not among them: the network libraries ignore it so that a peer closing a socket is
// an error of that call, and a run must not read it as Ctrl-C.
constexpr int handled_signals[] = {SIGINT, SIGTERM, SIGHUP};

void make_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create signal pipe");
}
}  // namespace

struct Cancellation::State {
    std::thread watcher;
    std::mutex mutex;
    std::function<void(int)> on_force;
    std::vector<std::filesystem::path> remove_on_force;
};

Cancellation::Cancellation() : state_(new State) {
    make_pipe(g_wake_pipe);
    make_pipe(g_count_pipe);
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    // A closed terminal ends a run as Ctrl-C does, recorded and cleaned up, not killed.
    for (const int number : handled_signals) sigaction(number, &action, nullptr);
    // Only a thread can act on the second signal: the handler itself may not touch history.
    state_->watcher = std::thread([state = state_] {
        int seen = 0;
        pollfd fd{g_count_pipe[0], POLLIN, 0};
        while (poll(&fd, 1, -1) >= 0 || errno == EINTR) {
            char byte = 0;
            while (read(g_count_pipe[0], &byte, 1) == 1) {
                if (byte == 0) return;  // shutdown request from the destructor
                if (++seen >= 2) {
                    std::function<void(int)> callback;
                    {
                        std::lock_guard lock(state->mutex);
                        callback = state->on_force;
                        // Secrets first: recording the run may be slow (a locked database).
                        std::error_code ignored;
                        for (const auto& path : state->remove_on_force) std::filesystem::remove_all(path, ignored);
                    }
                    const int signal = g_first_signal.load();
                    if (callback) callback(signal);
                    _exit(128 + signal);
                }
            }
        }
    });
}

Cancellation::~Cancellation() {
    for (const int number : handled_signals) signal(number, SIG_DFL);
    const char stop = 0;
    [[maybe_unused]] auto n = write(g_count_pipe[1], &stop, 1);
    state_->watcher.join();
    for (int fd : {g_wake_pipe[0], g_wake_pipe[1], g_count_pipe[0], g_count_pipe[1]}) close(fd);
    delete state_;
}

bool Cancellation::cancelled() const noexcept { return g_first_signal.load() != 0; }

int Cancellation::signal_number() const noexcept { return g_first_signal.load(); }

bool Cancellation::wait_for(std::chrono::milliseconds timeout) const noexcept {
    if (cancelled()) return true;
    pollfd fd{g_wake_pipe[0], POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!cancelled()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        poll(&fd, 1, static_cast<int>(left.count()));
    }
    return cancelled();
}

void Cancellation::on_force(std::function<void(int)> callback) {
    std::lock_guard lock(state_->mutex);
    state_->on_force = std::move(callback);
}

void Cancellation::remove_on_force(std::filesystem::path path) {
    std::lock_guard lock(state_->mutex);
    state_->remove_on_force.push_back(std::move(path));
}

}  // namespace concierge::runtime
