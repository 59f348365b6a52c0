// Ctrl-C and SIGTERM handling. The first signal asks the running plugin to stop (its context's
// cancelled() turns true and wait_for_cancel wakes); a second one forces the exit after the
// paths registered with remove_on_force are deleted and the on_force callback has recorded the
// run, for plugins that do not stop.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>

namespace concierge::runtime {

class Cancellation {
public:
    /// Installs the SIGINT/SIGTERM handlers; one instance per process.
    Cancellation();
    ~Cancellation();
    Cancellation(const Cancellation&) = delete;
    Cancellation& operator=(const Cancellation&) = delete;

    bool cancelled() const noexcept;
    /// The first signal received, 0 if none.
    int signal_number() const noexcept;
    /// Sleeps up to timeout; returns early, true, once cancelled.
    bool wait_for(std::chrono::milliseconds timeout) const noexcept;
    /// Called (on a watcher thread) when a second signal arrives, then the process exits 128+signal.
    void on_force(std::function<void(int signal)> callback);
    /// A path the forced exit deletes first: destructors that would have removed it never run.
    void remove_on_force(std::filesystem::path path);

private:
    struct State;
    State* state_;
};

}  // namespace concierge::runtime
