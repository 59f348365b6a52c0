// The history database's schema: the versioned DDL and the forward-only migrations to it, recorded
// in PRAGMA user_version. Apart from the store's queries, so that the schema's whole history reads in
// one place and a database of a newer schema is refused before anything touches it.
#pragma once

#include <filesystem>

struct sqlite3;

namespace concierge::history {

/// The schema version this build writes: the number of migrations.
int latest_schema_version();
/// The schema version the database is at (PRAGMA user_version).
int user_version(sqlite3* db);
/// Brings the database to latest_schema_version(), one write transaction per step. A database of a
/// newer schema is a HistoryError naming `path`.
void migrate(sqlite3* db, const std::filesystem::path& path);

}  // namespace concierge::history
