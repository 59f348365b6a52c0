#include "process_runner.hpp"

#include <cerrno>
#include <fcntl.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace concierge::test {

Sandbox::Sandbox() {
    std::string pattern = (std::filesystem::temp_directory_path() / "concierge-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    env = {{"CONCIERGE_HOME", (dir_ / "home").string()},
           {"XDG_CONFIG_HOME", (dir_ / "config").string()},
           {"XDG_STATE_HOME", (dir_ / "state").string()},
           {"XDG_CACHE_HOME", (dir_ / "cache").string()},
           {"CONCIERGE_PLUGIN_PATH", FIXTURE_PLUGIN_DIR}};
}

Sandbox::~Sandbox() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

Process::Process(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                 const std::filesystem::path& program) {
    std::vector<std::string> env_strings;
    for (char** entry = environ; *entry; ++entry) {
        const std::string pair(*entry);
        const std::string name = pair.substr(0, pair.find('='));
        if (!name.starts_with("CONCIERGE_") && !env.count(name)) env_strings.push_back(pair);
    }
    for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    std::vector<std::string> argv_strings{program.string()};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);

    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) posix_spawn_file_actions_addclose(&actions, fd);
    const int error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    if (error != 0) throw std::runtime_error("posix_spawn failed");
}

Process::~Process() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
}

void Process::pump(int timeout_ms) {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    if (poll(fds, 2, timeout_ms) <= 0) return;
    char buffer[65536];
    for (int i = 0; i < 2; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
        const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) (i == 0 ? result_.out : result_.err).append(buffer, static_cast<std::size_t>(n));
        if (n == 0) {
            close(fds[i].fd);
            (i == 0 ? out_fd_ : err_fd_) = -1;
        }
    }
}

bool Process::wait_for_stderr(const std::string& text, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (result_.err.find(text) == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline || (out_fd_ < 0 && err_fd_ < 0)) return false;
        pump(50);
    }
    return true;
}

void Process::signal(int number) const { kill(pid_, number); }

ProcessResult Process::finish(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool killed = false;
    while (out_fd_ >= 0 || err_fd_ >= 0) {
        // A closed descriptor is skipped by poll (negative fd), so this drains whichever is open.
        pump(1000);
        if (!killed && std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            killed = true;
            result_.err += "\n[process_runner: killed after " + std::to_string(timeout.count()) + " s]\n";
        }
    }
    int status = 0;
    rusage usage{};
    while (wait4(pid_, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    result_.peak_rss_kib = usage.ru_maxrss;
    pid_ = -1;
    result_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result_;
}

ProcessResult run_concierge(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    return Process(args, env).finish();
}

std::filesystem::path scheduler_binary() { return std::filesystem::path(CONCIERGE_BINARY).parent_path() / "concierge_scheduler"; }

ProcessResult run_scheduler(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    return Process(args, env, scheduler_binary()).finish();
}

}  // namespace concierge::test
