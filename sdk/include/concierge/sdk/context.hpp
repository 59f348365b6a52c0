// What a running plugin can ask of the core. The core implements this interface; a plugin only
// calls it. Every virtual function is noexcept and reports failure through its result, so no
// exception crosses the boundary; the inline helpers below turn failures into sdk::Error on the
// plugin's side, where the plugin adapter (plugin.hpp) catches them.
//
// ABI rule: the virtual functions below are never reordered or removed within a major version.
// New ones are appended at the end of the class with a minor version bump, so a plugin built
// against an earlier minor version still finds every slot it knows where it expects it.
#pragma once

#include <concierge/sdk/options.hpp>
#include <concierge/sdk/output.hpp>
#include <concierge/sdk/status.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace concierge::sdk {

/// A run as history recorded it (Context::list_runs). Secrets are masked as everywhere in history.
struct RunRecord {
    std::int64_t id = 0;
    std::string plugin;
    std::string status;  ///< running, succeeded, failed, interrupted or abandoned (its process is gone)
    std::optional<int> exit_code;
    std::int64_t started_at = 0;          ///< milliseconds since the Unix epoch
    std::optional<std::int64_t> ended_at;  ///< none while running
    std::string summary;
    std::string error;
    std::vector<std::string> artifacts;  ///< names, for read_run_artifact
};

class Context {
public:
    // ---- ABI 1.0 -------------------------------------------------------------------------

    /// The resolved text of a declared option (flag > env > config file > default), or nothing.
    /// Integers are decimal, durations are already converted to milliseconds, flags are
    /// "true"/"false". The core validated the type before the run started.
    virtual std::optional<std::string> option(std::string_view name) const noexcept = 0;

    /// An environment variable of the process.
    virtual std::optional<std::string> env(std::string_view name) const noexcept = 0;

    /// A key of the config file, "section.key" (see README "Configuration").
    virtual std::optional<std::string> config(std::string_view key) const noexcept = 0;

    /// What the user asked for with --output.
    virtual OutputFormat output_format() const noexcept = 0;

    /// Prints a table in the user's chosen format on standard output.
    virtual Status emit_table(const Table& table) noexcept = 0;

    /// The table as the JSON `--output json` prints: an array of objects, secrets masked. Handy
    /// for a report kept as an artifact, so a plugin needs no JSON library of its own. Empty only
    /// if memory ran out.
    virtual std::string table_json(const Table& table) const noexcept = 0;

    /// Writes a line for people on standard output; ignored with --output json.
    virtual void emit_text(std::string_view line) noexcept = 0;

    /// Logs to standard error (debug lines only with --verbose). Secrets are masked.
    virtual void log(LogLevel level, std::string_view message) noexcept = 0;

    /// Reports progress of long work; shown on a terminal, silent otherwise. total 0 = unknown.
    virtual void progress(std::uint64_t done, std::uint64_t total, std::string_view label) noexcept = 0;

    /// True once the user pressed Ctrl-C or the process got SIGTERM. Stop soon and return.
    virtual bool cancelled() const noexcept = 0;

    /// Sleeps up to `timeout`, waking early on cancellation. Returns cancelled().
    virtual bool wait_for_cancel(std::chrono::milliseconds timeout) noexcept = 0;

    /// Stores `content` as artifact `name` of this run (deduplicated, compressed) in history.
    virtual Status save_artifact(std::string_view name, std::string_view content,
                                 std::string_view media_type) noexcept = 0;

    /// Sets the one-line summary recorded in history and printed at the end of a table run.
    virtual void set_summary(std::string_view summary) noexcept = 0;

    /// Registers a value (a password read from a file, a token) to mask everywhere.
    virtual void add_secret(std::string_view value) noexcept = 0;

    /// The id of this run in history.
    virtual std::int64_t run_id() const noexcept = 0;

    // ---- ABI 1.1 ---------------------------------------------------------------------------

    /// When the newest succeeded run of this plugin that saved an artifact named `artifact_name`
    /// ended, in milliseconds since the Unix epoch; nothing if there is none or history cannot be
    /// read. Lets a plugin keep state between runs (a cooldown) in the history it already writes.
    virtual std::optional<std::int64_t> last_success_with_artifact(std::string_view artifact_name) const noexcept = 0;

    /// Reads artifact `name` of an earlier run `run_id` from history into `content`, decompressed
    /// and checked against its sha256 (a restore reads a backup kept in history this way).
    /// NotFound when the run or the artifact does not exist; HistoryError when history cannot be read.
    virtual Status read_run_artifact(std::int64_t run_id, std::string_view name, std::string& content) const noexcept = 0;

    // ---- ABI 1.2 ---------------------------------------------------------------------------

    /// last_success_with_artifact that tells "none" from "cannot tell": Ok with `ended_at` empty
    /// when there is no such run, HistoryError when history cannot be read, so a check built on it
    /// (a cooldown) can fail closed instead of reading an unreadable history as "never".
    virtual Status find_last_success(std::string_view artifact_name, std::optional<std::int64_t>& ended_at) const noexcept = 0;

    /// Registers a file or directory holding secrets or partial work (a certificate directory, a
    /// staging copy) for the core to delete when a second signal forces the run to end before the
    /// plugin's own clean-up could run. A path that is gone by then is skipped.
    virtual void remove_on_forced_exit(std::string_view path) noexcept = 0;

    // ---- ABI 1.3 ---------------------------------------------------------------------------

    /// Artifact `name` of the newest earlier run of this plugin that saved one, whatever that
    /// run's outcome, into `content`, with the run's id in `run_id`. Ok with `run_id` 0 when no
    /// run saved it; HistoryError when history cannot be read. Lets a plugin carry state from run
    /// to run (an autoscaler's recent recommendations) in the history it already writes.
    virtual Status read_latest_artifact(std::string_view name, std::int64_t& run_id, std::string& content) const noexcept = 0;

    /// Runs in history, newest first: of `plugin` (empty: every plugin), started at or after
    /// `since` (milliseconds since the epoch), at most `limit` (0: no limit). For plugins that
    /// report on runs (zabbix-report). HistoryError when history cannot be read.
    virtual Status list_runs(std::string_view plugin, std::int64_t since, std::size_t limit,
                             std::vector<RunRecord>& runs) const noexcept = 0;

    // ---- ABI 1.4 and later: append here --------------------------------------------------

    // ---- Helpers, compiled into the plugin ------------------------------------------------

    /// The option's text; throws a usage Error if it has no value.
    std::string require(std::string_view name) const {
        if (auto value = option(name)) return *value;
        throw Error(ExitCode::Usage, "missing value for --" + std::string(name));
    }
    std::string get(std::string_view name, std::string_view fallback = {}) const {
        return option(name).value_or(std::string(fallback));
    }
    std::optional<std::int64_t> get_int(std::string_view name) const {
        auto value = option(name);
        if (!value) return std::nullopt;
        return std::stoll(*value);
    }
    bool flag(std::string_view name) const { return option(name).value_or("false") == "true"; }
    std::optional<std::chrono::milliseconds> get_duration(std::string_view name) const {
        auto millis = get_int(name);
        if (!millis) return std::nullopt;
        return std::chrono::milliseconds(*millis);
    }
    void table(const Table& t) { throw_if_failed(emit_table(t)); }
    void artifact(std::string_view name, std::string_view content,
                  std::string_view media_type = "application/json") {
        throw_if_failed(save_artifact(name, content, media_type));
    }
    void info(std::string_view message) { log(LogLevel::Info, message); }
    void warn(std::string_view message) { log(LogLevel::Warning, message); }
    void debug(std::string_view message) { log(LogLevel::Debug, message); }
    /// read_run_artifact's content; throws its Error.
    std::string run_artifact(std::int64_t id, std::string_view name) const {
        std::string content;
        throw_if_failed(read_run_artifact(id, name, content));
        return content;
    }
    /// Throws the Interrupted error if the run was cancelled: call it between steps.
    void check_cancelled() const {
        if (cancelled()) throw Error(ExitCode::Interrupted, "interrupted");
    }

protected:
    Context() = default;
    ~Context() = default;
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
};

}  // namespace concierge::sdk
