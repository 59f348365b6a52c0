#include "history/schema.hpp"

#include "history/sqlite_db.hpp"

#include <array>
#include <string>

namespace concierge::history {
namespace {

// Forward-only: entry i takes the schema from version i to i + 1. Never edit a released entry.
constexpr std::array migrations = {
    R"sql(
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    plugin TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    arguments TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    exit_code INTEGER,
    summary TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    host TEXT NOT NULL,
    user TEXT NOT NULL,
    pid INTEGER NOT NULL,
    pid_start TEXT NOT NULL
);
CREATE INDEX runs_started_at ON runs(started_at);
CREATE INDEX runs_plugin_started_at ON runs(plugin, started_at);
-- (status, started_at) rather than (status): it also serves "newest N with this status" without a sort.
CREATE INDEX runs_status_started_at ON runs(status, started_at);
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    compression TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE artifacts (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (run_id, name)
);
-- Lets a blob's references be found without a scan (foreign-key checks, orphan cleanup).
CREATE INDEX artifacts_sha256 ON artifacts(sha256);
)sql",
    // A blob may be stored as a zstd delta against another (full) blob: consecutive backups of an
    // unchanged server differ only in an export's date, and a whole new copy per run is 10x the bytes.
    R"sql(
ALTER TABLE blobs ADD COLUMN base TEXT REFERENCES blobs(sha256);
CREATE INDEX blobs_base ON blobs(base);
)sql",
};

void refuse_newer(int found, const std::filesystem::path& path) {
    if (found > latest_schema_version()) {
        throw HistoryError("history database " + path.string() + " has schema version " + std::to_string(found) +
                           " but this concierge knows only up to " + std::to_string(latest_schema_version()) +
                           "; upgrade concierge to use it");
    }
}

}  // namespace

int latest_schema_version() {
    return static_cast<int>(migrations.size());
}

int user_version(sqlite3* db) {
    Statement stmt(db, "PRAGMA user_version", "reading the schema version");
    stmt.step();
    return static_cast<int>(stmt.integer(0));
}

void migrate(sqlite3* db, const std::filesystem::path& path) {
    refuse_newer(user_version(db), path);
    for (int target = 1; target <= latest_schema_version(); ++target) {
        if (user_version(db) >= target) continue;
        WriteTransaction transaction(db, "migrating to schema version " + std::to_string(target));
        // Another process may have migrated between the check above and taking the write lock.
        const int found = user_version(db);
        refuse_newer(found, path);
        if (found >= target) continue;
        exec(db, migrations[static_cast<std::size_t>(target - 1)],
             "migrating to schema version " + std::to_string(target));
        // PRAGMA takes no bound parameters; target is our own integer.
        exec(db, ("PRAGMA user_version = " + std::to_string(target)).c_str(), "recording the schema version");
        transaction.commit();
    }
}

}  // namespace concierge::history
