// The core's side of sdk::Context: what one plugin run sees of options, environment, config,
// output, logging, cancellation and history.
#pragma once

#include "config/config_file.hpp"
#include "history/history_store.hpp"
#include "runtime/cancellation.hpp"
#include "runtime/redaction.hpp"

#include <concierge/sdk/context.hpp>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>

namespace concierge::runtime {

struct RunSettings {
    std::map<std::string, std::string> options;  ///< resolved option values
    sdk::OutputFormat format = sdk::OutputFormat::Table;
    sdk::LogLevel log_threshold = sdk::LogLevel::Info;
    std::string plugin;  ///< prefixes log lines
    bool history_required = true;  ///< false: an artifact history cannot keep is a warning, not a failure
};

class RunContext final : public sdk::Context {
public:
    /// Every reference must outlive the run. `out`/`err` are where data and logs go. `history` is
    /// null when it could not be opened and is not required: the run is then not recorded.
    RunContext(RunSettings settings, const config::ConfigFile& config, Redactor& redactor, Cancellation& cancellation,
               history::HistoryStore* history, std::int64_t run_id, std::FILE* out, std::FILE* err);

    std::optional<std::string> option(std::string_view name) const noexcept override;
    std::optional<std::string> env(std::string_view name) const noexcept override;
    std::optional<std::string> config(std::string_view key) const noexcept override;
    sdk::OutputFormat output_format() const noexcept override;
    sdk::Status emit_table(const sdk::Table& table) noexcept override;
    std::string table_json(const sdk::Table& table) const noexcept override;
    void emit_text(std::string_view line) noexcept override;
    void log(sdk::LogLevel level, std::string_view message) noexcept override;
    void progress(std::uint64_t done, std::uint64_t total, std::string_view label) noexcept override;
    bool cancelled() const noexcept override;
    bool wait_for_cancel(std::chrono::milliseconds timeout) noexcept override;
    sdk::Status save_artifact(std::string_view name, std::string_view content, std::string_view media_type) noexcept override;
    void set_summary(std::string_view summary) noexcept override;
    void add_secret(std::string_view value) noexcept override;
    std::int64_t run_id() const noexcept override;
    std::optional<std::int64_t> last_success_with_artifact(std::string_view artifact_name) const noexcept override;
    sdk::Status read_run_artifact(std::int64_t run_id, std::string_view name, std::string& content) const noexcept override;
    sdk::Status find_last_success(std::string_view artifact_name, std::optional<std::int64_t>& ended_at) const noexcept override;
    void remove_on_forced_exit(std::string_view path) noexcept override;
    sdk::Status read_latest_artifact(std::string_view name, std::int64_t& run_id, std::string& content) const noexcept override;
    sdk::Status list_runs(std::string_view plugin, std::int64_t since, std::size_t limit,
                          std::vector<sdk::RunRecord>& runs) const noexcept override;

    /// The summary the plugin set, masked.
    std::string summary() const;
    /// Erases a progress line left on the terminal.
    void end_progress() noexcept;

private:
    void clear_progress_locked() noexcept;
    /// The history store; HistoryError when this run has none.
    history::HistoryStore& history() const;

    RunSettings settings_;
    const config::ConfigFile& config_;
    Redactor& redactor_;
    Cancellation& cancellation_;
    history::HistoryStore* history_;
    std::int64_t run_id_;
    std::FILE* out_;
    std::FILE* err_;
    bool progress_on_terminal_;
    bool progress_shown_ = false;
    std::chrono::steady_clock::time_point last_progress_{};
    std::string last_step_logged_;
    mutable std::mutex mutex_;  // plugins may call from several threads
    std::string summary_;
};

}  // namespace concierge::runtime
