// A Context for unit tests of code that plugins link: option values given by the test, secrets,
// warnings and saved artifacts recorded, history answers given by the test.
#pragma once

#include <concierge/sdk/context.hpp>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace concierge::test {

class FakeContext final : public concierge::sdk::Context {
public:
    std::map<std::string, std::string, std::less<>> options;
    std::vector<std::string> secrets, warnings;
    std::map<std::string, std::string> artifacts;
    std::map<std::string, std::string, std::less<>> environment;
    std::map<std::string, std::int64_t, std::less<>> last_success;  ///< artifact name -> end of run
    bool history_unreadable = false;                                 ///< find_last_success fails
    std::vector<std::string> forced_exit_paths;                      ///< remove_on_forced_exit

    std::optional<std::string> option(std::string_view name) const noexcept override {
        auto it = options.find(name);
        if (it == options.end()) return std::nullopt;
        return it->second;
    }
    std::optional<std::string> env(std::string_view name) const noexcept override {
        auto it = environment.find(name);
        if (it == environment.end()) return std::nullopt;
        return it->second;
    }
    std::optional<std::string> config(std::string_view) const noexcept override { return std::nullopt; }
    concierge::sdk::OutputFormat output_format() const noexcept override { return {}; }
    concierge::sdk::Status emit_table(const concierge::sdk::Table&) noexcept override { return {}; }
    std::string table_json(const concierge::sdk::Table&) const noexcept override { return {}; }
    void emit_text(std::string_view) noexcept override {}
    void log(concierge::sdk::LogLevel level, std::string_view message) noexcept override {
        if (level == concierge::sdk::LogLevel::Warning) warnings.emplace_back(message);
    }
    void progress(std::uint64_t, std::uint64_t, std::string_view) noexcept override {}
    std::atomic<bool> cancel{false};  ///< what cancelled() says: Ctrl-C pressed

    bool cancelled() const noexcept override { return cancel; }
    // Sleeps as the core's does: a client's watcher waits on it in slices.
    bool wait_for_cancel(std::chrono::milliseconds timeout) noexcept override {
        if (!cancel) std::this_thread::sleep_for(timeout);
        return cancel;
    }
    concierge::sdk::Status save_artifact(std::string_view name, std::string_view content, std::string_view) noexcept override {
        artifacts[std::string(name)] = std::string(content);
        return {};
    }
    void set_summary(std::string_view) noexcept override {}
    void add_secret(std::string_view value) noexcept override { secrets.emplace_back(value); }
    std::int64_t run_id() const noexcept override { return 1; }
    std::optional<std::int64_t> last_success_with_artifact(std::string_view name) const noexcept override {
        auto it = last_success.find(name);
        if (it == last_success.end()) return std::nullopt;
        return it->second;
    }
    concierge::sdk::Status read_run_artifact(std::int64_t, std::string_view, std::string&) const noexcept override {
        return {concierge::sdk::ExitCode::NotFound, "no history here"};
    }
    concierge::sdk::Status find_last_success(std::string_view name, std::optional<std::int64_t>& ended_at) const noexcept override {
        if (history_unreadable) return {concierge::sdk::ExitCode::HistoryError, "cannot read history: disk I/O error"};
        ended_at = last_success_with_artifact(name);
        return {};
    }
    void remove_on_forced_exit(std::string_view path) noexcept override { forced_exit_paths.emplace_back(path); }
    concierge::sdk::Status read_latest_artifact(std::string_view, std::int64_t& run_id, std::string&) const noexcept override {
        run_id = 0;
        return {};
    }
    concierge::sdk::Status list_runs(std::string_view, std::int64_t, std::size_t,
                                     std::vector<concierge::sdk::RunRecord>& runs) const noexcept override {
        runs.clear();
        return {};
    }
};

}  // namespace concierge::test
