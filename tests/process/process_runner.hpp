// Runs the built `concierge` binary as a separate process, the way a user or cron does.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace concierge::test {

struct ProcessResult {
    int exit_code = -1;  ///< 128+N when killed by signal N
    std::string out;
    std::string err;
    long peak_rss_kib = 0;  ///< the process's peak resident set (wait4's ru_maxrss)
};

/// A temporary home for one test: history, config and state live here and vanish afterwards.
class Sandbox {
public:
    Sandbox();
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path history_db() const { return dir_ / "home" / "history.db"; }
    /// The environment a test process gets: the parent's, minus CONCIERGE_*, plus these.
    std::map<std::string, std::string> env;

private:
    std::filesystem::path dir_;
};

class Process {
public:
    /// Runs `program` (the built concierge unless told otherwise) with args.
    Process(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::filesystem::path& program = CONCIERGE_BINARY);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    /// Reads stderr until it contains `text` or `timeout_ms` passes; true if it appeared.
    bool wait_for_stderr(const std::string& text, int timeout_ms);
    void signal(int number) const;
    /// Collects all output and the exit status. A process still running after `timeout` is killed
    /// (exit 137) and says so at the end of its stderr: a hung run fails its test, never the suite.
    ProcessResult finish(std::chrono::seconds timeout = std::chrono::minutes(10));

private:
    void pump(int timeout_ms);

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    ProcessResult result_;
};

/// Runs concierge with args to completion.
ProcessResult run_concierge(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

/// The built `concierge_scheduler` link, the earlier tool's name.
std::filesystem::path scheduler_binary();

/// Runs concierge under the earlier tool's name with args to completion.
ProcessResult run_scheduler(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

}  // namespace concierge::test
