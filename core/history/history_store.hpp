// Run history: every run of a plugin, its outcome, and the JSON documents it saved, in SQLite.
//
// Storage settings: WAL journal, a busy timeout, every write in a BEGIN IMMEDIATE transaction,
// and the schema version in PRAGMA user_version with forward-only migrations. Artifact contents
// are stored once per distinct sha256 (deduplicated across runs) and compressed with zstd.
#pragma once

#include "digest.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace concierge::history {

/// Any failure to open, migrate, read or write the database.
class HistoryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class RunStatus { Running, Succeeded, Failed, Interrupted, Abandoned };

std::string to_string(RunStatus status);
/// Parses "running", "succeeded", ...; nullopt for anything else.
std::optional<RunStatus> parse_run_status(const std::string& text);

/// Milliseconds since the Unix epoch.
using Millis = std::int64_t;

struct NewRun {
    std::string plugin;
    std::string plugin_version;
    std::vector<std::string> arguments;  ///< already redacted by the caller
    Millis started_at = 0;
    std::string host;
    std::string user;
    std::int64_t pid = 0;
    std::string pid_start;  ///< the process's start time from /proc, to tell a reused pid apart
};

struct RunOutcome {
    RunStatus status = RunStatus::Succeeded;
    int exit_code = 0;
    Millis ended_at = 0;
    std::string summary;
    std::string error;
};

struct ArtifactInfo {
    std::string name;
    std::string media_type;
    std::int64_t size = 0;  ///< uncompressed bytes
    std::string sha256;     ///< lower-case hex of the uncompressed bytes
};

struct Run {
    std::int64_t id = 0;
    std::string plugin;
    std::string plugin_version;
    std::vector<std::string> arguments;
    Millis started_at = 0;
    std::optional<Millis> ended_at;
    RunStatus status = RunStatus::Running;  ///< Abandoned when recorded Running but its process is gone
    std::optional<int> exit_code;
    std::string summary;
    std::string error;
    std::string host;
    std::string user;
    std::int64_t pid = 0;
};

// The {} initializers let callers write RunFilter{.limit = 50}: without them g++ 12 flags the
// skipped members (-Wmissing-field-initializers).
struct RunFilter {
    std::optional<std::string> plugin{};
    std::optional<RunStatus> status{};  ///< Abandoned selects Running rows whose process is gone
    std::optional<Millis> since{};      ///< started_at >= since
    int limit = 20;                     ///< newest first; 0 or less for no limit
};

class HistoryStore {
public:
    /// Receives a one-line warning (without a prefix), such as which files were made private.
    using Warn = std::function<void(const std::string&)>;

    /// Opens (creating parent directories and the file if needed) and migrates to the current schema.
    /// An existing database, its WAL files and its directory (when it holds nothing else) are made
    /// private when others could reach them (`warn` says so); a file of another user is refused. A corrupt file is a
    /// HistoryError naming it and how to recover.
    explicit HistoryStore(const std::filesystem::path& path, const Warn& warn = {});
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    /// The schema version this build writes.
    static int current_schema_version();
    int schema_version() const;

    std::int64_t begin_run(const NewRun& run);
    void finish_run(std::int64_t run_id, const RunOutcome& outcome);

    /// Stores an artifact of a run; replaces one of the same name in that run.
    ArtifactInfo save_artifact(std::int64_t run_id, const std::string& name, std::string_view content,
                               const std::string& media_type);
    std::vector<ArtifactInfo> artifacts(std::int64_t run_id) const;
    /// Decompressed bytes, verified against their sha256 (HistoryError on mismatch).
    std::string artifact_content(std::int64_t run_id, const std::string& name) const;

    std::optional<Run> run(std::int64_t run_id) const;
    std::vector<Run> runs(const RunFilter& filter) const;
    /// The end of the newest succeeded run of `plugin` that saved an artifact named `artifact_name`.
    std::optional<Millis> last_success_with_artifact(const std::string& plugin, const std::string& artifact_name) const;
    /// The newest run of `plugin` other than `excluded` that saved an artifact named `artifact_name`.
    std::optional<std::int64_t> latest_run_with_artifact(const std::string& plugin, const std::string& artifact_name,
                                                         std::int64_t excluded) const;

private:
    sqlite3* db_ = nullptr;
};

/// The sha256 of bytes as lower-case hex (sdk/src/common/digest.hpp, shared with the plugins).
using digest::sha256_hex;

}  // namespace concierge::history
