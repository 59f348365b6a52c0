#include "runtime/run_context.hpp"

#include "runtime/exception_detail.hpp"

#include "output/formatter.hpp"
#include "output/json_writer.hpp"

#include <concierge/sdk/printable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <sys/prctl.h>

namespace concierge::runtime {

namespace {

// A core dump of a process holding secrets (a password, a TLS key) would write them to disk for
// anyone who reads dumps; once one is held, the process makes none (and cannot be ptrace-attached).
void keep_out_of_core_dumps() noexcept { ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

const char* level_name(sdk::LogLevel level) {
    switch (level) {
        case sdk::LogLevel::Debug: return "debug";
        case sdk::LogLevel::Info: return "info";
        case sdk::LogLevel::Warning: return "warning";
        case sdk::LogLevel::Error: return "error";
    }
    return "log";
}

sdk::Status failure_from_current_exception(const char* what) noexcept {
    try {
        throw;
    } catch (const history::HistoryError& e) {
        return {sdk::ExitCode::HistoryError, fmt::format("{}: {}", what, e.what())};
    } catch (...) {
        return {sdk::ExitCode::Failure, fmt::format("{}: {}", what, current_exception_detail())};
    }
}

}  // namespace

RunContext::RunContext(RunSettings settings, const config::ConfigFile& config, Redactor& redactor,
                       Cancellation& cancellation, history::HistoryStore* history, std::int64_t run_id,
                       std::FILE* out, std::FILE* err)
    : settings_(std::move(settings)),
      config_(config),
      redactor_(redactor),
      cancellation_(cancellation),
      history_(history),
      run_id_(run_id),
      out_(out),
      err_(err),
      progress_on_terminal_(isatty(fileno(err)) != 0) {
    if (redactor_.holds_secrets()) keep_out_of_core_dumps();
}

std::optional<std::string> RunContext::option(std::string_view name) const noexcept {
    try {
        const auto found = settings_.options.find(std::string(name));
        if (found == settings_.options.end()) return std::nullopt;
        return found->second;
    } catch (...) {
        return std::nullopt;
    }
}

std::optional<std::string> RunContext::env(std::string_view name) const noexcept {
    try {
        if (const char* value = std::getenv(std::string(name).c_str())) return std::string(value);
    } catch (...) {
    }
    return std::nullopt;
}

std::optional<std::string> RunContext::config(std::string_view key) const noexcept {
    try {
        return config_.get(std::string(key));
    } catch (...) {
        return std::nullopt;
    }
}

sdk::OutputFormat RunContext::output_format() const noexcept { return settings_.format; }

sdk::Status RunContext::emit_table(const sdk::Table& table) noexcept {
    try {
        std::lock_guard lock(mutex_);
        const std::string text = output::format_table(redactor_.mask(table), settings_.format, out_);
        clear_progress_locked();
        std::fputs(text.c_str(), out_);
        std::fflush(out_);
        return {};
    } catch (...) {
        return failure_from_current_exception("cannot print the table");
    }
}

std::string RunContext::table_json(const sdk::Table& table) const noexcept {
    try {
        // Output, though a plugin may keep it as an artifact (import-steps.json): masked as it is rendered.
        std::lock_guard lock(mutex_);
        return output::to_json(redactor_.mask(table));
    } catch (...) {
        return {};
    }
}

void RunContext::emit_text(std::string_view line) noexcept {
    if (settings_.format == sdk::OutputFormat::Json) return;
    try {
        std::lock_guard lock(mutex_);
        clear_progress_locked();
        fmt::print(out_, "{}\n", sdk::printable(redactor_.mask(line), sdk::Lines::Keep));
        std::fflush(out_);
    } catch (...) {
    }
}

void RunContext::log(sdk::LogLevel level, std::string_view message) noexcept {
    if (level < settings_.log_threshold) return;
    try {
        std::lock_guard lock(mutex_);
        clear_progress_locked();
        fmt::print(err_, "{}: {}: {}\n", settings_.plugin, level_name(level), sdk::printable(redactor_.mask(message), sdk::Lines::Keep));
    } catch (...) {
    }
}

void RunContext::progress(std::uint64_t done, std::uint64_t total, std::string_view label) noexcept {
    if (!progress_on_terminal_) {
        // Off a terminal there is no bar to redraw; --verbose shows each new step as a line, which
        // is also what a log (or a test) can wait for.
        if (settings_.log_threshold > sdk::LogLevel::Debug) return;
        try {
            {
                std::lock_guard lock(mutex_);
                if (label == last_step_logged_) return;
                last_step_logged_ = label;
            }
            log(sdk::LogLevel::Debug, label);
        } catch (...) {
        }
        return;
    }
    try {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        // Redrawing more than ~10 times a second only costs time.
        if (progress_shown_ && done != total && now - last_progress_ < std::chrono::milliseconds(100)) return;
        last_progress_ = now;
        const std::string amount = total ? fmt::format("{}/{} ({}%)", done, total, done * 100 / total) : fmt::format("{}", done);
        fmt::print(err_, "\r\033[K{} {}", sdk::printable(redactor_.mask(label)), amount);
        std::fflush(err_);
        progress_shown_ = true;
    } catch (...) {
    }
}

void RunContext::clear_progress_locked() noexcept {
    if (!progress_shown_) return;
    std::fputs("\r\033[K", err_);
    progress_shown_ = false;
}

void RunContext::end_progress() noexcept {
    std::lock_guard lock(mutex_);
    clear_progress_locked();
}

bool RunContext::cancelled() const noexcept { return cancellation_.cancelled(); }

bool RunContext::wait_for_cancel(std::chrono::milliseconds timeout) noexcept { return cancellation_.wait_for(timeout); }

history::HistoryStore& RunContext::history() const {
    if (!history_) throw history::HistoryError("this run has no history (it could not be opened; see the warning above)");
    return *history_;
}

// Artifacts are of two kinds, told apart by who made their bytes, and neither is masked here:
//  - reports concierge renders from a plugin's table (table_json: a restore's import-steps.json,
//    with remote error strings in it) are masked as they are rendered, like any other output;
//  - documents a plugin saves (a backup's files, an exported configuration) are kept byte for
//    byte, or a restore of them would differ. So they must never hold concierge's own secrets
//    (the passwords and tokens it was given) in the first place: a plugin puts only what it read
//    from the service into a document.
sdk::Status RunContext::save_artifact(std::string_view name, std::string_view content, std::string_view media_type) noexcept {
    try {
        if (name.empty()) return {sdk::ExitCode::Failure, "an artifact needs a name"};
        std::lock_guard lock(mutex_);
        history().save_artifact(run_id_, std::string(name), content, std::string(media_type));
        return {};
    } catch (const history::HistoryError& e) {
        if (settings_.history_required) return failure_from_current_exception("cannot save the artifact");
        // history.required = false: a full disk must not stop the run (a scale-up during an incident).
        log(sdk::LogLevel::Warning, fmt::format("artifact '{}' is NOT kept in history: {} (history.required is false)", name, e.what()));
        return {};
    } catch (...) {
        return failure_from_current_exception("cannot save the artifact");
    }
}

void RunContext::set_summary(std::string_view summary) noexcept {
    try {
        std::lock_guard lock(mutex_);
        summary_ = std::string(summary);
    } catch (...) {
    }
}

void RunContext::add_secret(std::string_view value) noexcept {
    try {
        std::lock_guard lock(mutex_);
        redactor_.add_secret(value);
    } catch (...) {
    }
    keep_out_of_core_dumps();
}

std::int64_t RunContext::run_id() const noexcept { return run_id_; }

std::optional<std::int64_t> RunContext::last_success_with_artifact(std::string_view artifact_name) const noexcept {
    std::optional<std::int64_t> ended_at;
    return find_last_success(artifact_name, ended_at).ok() ? ended_at : std::nullopt;
}

sdk::Status RunContext::find_last_success(std::string_view artifact_name, std::optional<std::int64_t>& ended_at) const noexcept {
    try {
        std::lock_guard lock(mutex_);
        ended_at = history().last_success_with_artifact(settings_.plugin, std::string(artifact_name));
        return {};
    } catch (const std::exception& e) {
        return {sdk::ExitCode::HistoryError, fmt::format("cannot read history: {}", e.what())};
    } catch (...) {
        return {sdk::ExitCode::HistoryError, "cannot read history"};
    }
}

void RunContext::remove_on_forced_exit(std::string_view path) noexcept {
    try {
        cancellation_.remove_on_force(std::filesystem::path(path));
    } catch (...) {  // out of memory: the next run's sweep still removes what a dead run left
    }
}

sdk::Status RunContext::read_run_artifact(std::int64_t run_id, std::string_view name, std::string& content) const noexcept {
    try {
        std::lock_guard lock(mutex_);
        if (!history().run(run_id)) return {sdk::ExitCode::NotFound, fmt::format("there is no run {} in history", run_id)};
        const std::string wanted(name);
        const auto artifacts = history().artifacts(run_id);
        const bool found = std::any_of(artifacts.begin(), artifacts.end(), [&](const auto& a) { return a.name == wanted; });
        if (!found) return {sdk::ExitCode::NotFound, fmt::format("run {} has no artifact '{}'", run_id, wanted)};
        content = history().artifact_content(run_id, wanted);
        return {};
    } catch (...) {
        return failure_from_current_exception("cannot read the artifact");
    }
}

sdk::Status RunContext::read_latest_artifact(std::string_view name, std::int64_t& run_id, std::string& content) const noexcept {
    try {
        std::lock_guard lock(mutex_);
        const std::string wanted(name);
        run_id = history().latest_run_with_artifact(settings_.plugin, wanted, run_id_).value_or(0);
        if (run_id != 0) content = history().artifact_content(run_id, wanted);
        return {};
    } catch (...) {
        return failure_from_current_exception("cannot read the artifact");
    }
}

sdk::Status RunContext::list_runs(std::string_view plugin, std::int64_t since, std::size_t limit,
                                  std::vector<sdk::RunRecord>& runs) const noexcept {
    try {
        std::lock_guard lock(mutex_);
        history::RunFilter filter{.since = since, .limit = static_cast<int>(std::min<std::size_t>(limit, INT32_MAX))};
        if (!plugin.empty()) filter.plugin = std::string(plugin);
        runs.clear();
        for (auto& run : history().runs(filter)) {
            sdk::RunRecord record{run.id, std::move(run.plugin), history::to_string(run.status), run.exit_code,
                                  run.started_at, run.ended_at, std::move(run.summary), std::move(run.error), {}};
            for (auto& artifact : history().artifacts(record.id)) record.artifacts.push_back(std::move(artifact.name));
            runs.push_back(std::move(record));
        }
        return {};
    } catch (...) {
        return failure_from_current_exception("cannot list runs");
    }
}

std::string RunContext::summary() const {
    std::lock_guard lock(mutex_);
    return redactor_.mask(summary_);
}

}  // namespace concierge::runtime
