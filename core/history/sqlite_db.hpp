// SQLite access for the history: opening the database privately in WAL mode, statements, write
// transactions, and errors that name a corrupt file. Apart from the store, so that the store reads as
// its queries and the file's permissions, locking and journal are settled in one place.
#pragma once

#include "history/history_store.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

namespace concierge::history {

using Database = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

/// Opens `path` as HistoryStore's constructor documents, short of the schema: parent directories
/// and the file created private, existing ones made private (`warn` says so) or refused, a file that
/// is not a database refused, then the busy timeout, WAL and the pragmas every connection sets.
Database open_database(const std::filesystem::path& path, const HistoryStore::Warn& warn);

/// A HistoryError for the connection's last error: one naming the file and how to recover when
/// the database is corrupt.
[[noreturn]] void fail(sqlite3* db, const std::string& doing);

void exec(sqlite3* db, const char* sql, const std::string& doing);

class Statement {
public:
    Statement(sqlite3* db, const char* sql, std::string doing) : db_(db), doing_(std::move(doing)) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail(db_, doing_);
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind(int index, std::int64_t value) { check(sqlite3_bind_int64(stmt_, index, value)); }
    void bind(int index, const std::string& text) {
        check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    }
    void bind_blob(int index, const std::string& bytes) {
        check(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
    }

    /// True while there is a row to read.
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(db_, doing_);
    }

    bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    /// Text or blob bytes, embedded NULs included.
    std::string bytes(int column) const {
        const void* data = sqlite3_column_blob(stmt_, column);
        const int size = sqlite3_column_bytes(stmt_, column);
        return data ? std::string(static_cast<const char*>(data), static_cast<std::size_t>(size)) : std::string();
    }

private:
    void check(int rc) {
        if (rc != SQLITE_OK) fail(db_, doing_);
    }

    sqlite3* db_;
    std::string doing_;
    sqlite3_stmt* stmt_ = nullptr;
};

/// BEGIN IMMEDIATE takes the write lock up front, so a concurrent writer waits on the busy timeout
/// instead of failing on a read-to-write lock upgrade. Rolls back unless committed.
class WriteTransaction {
public:
    WriteTransaction(sqlite3* db, const std::string& doing) : db_(db), doing_(doing) {
        exec(db_, "BEGIN IMMEDIATE", doing_ + " (begin)");
    }
    ~WriteTransaction() {
        if (!committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;

    void commit() {
        exec(db_, "COMMIT", doing_ + " (commit)");
        committed_ = true;
    }

private:
    sqlite3* db_;
    std::string doing_;
    bool committed_ = false;
};

}  // namespace concierge::history
