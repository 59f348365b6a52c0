#include "history/sqlite_db.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <string_view>
#include <utility>
#include <vector>
#include <sys/stat.h>
#include <unistd.h>

namespace concierge::history {
namespace {

constexpr int busy_timeout_ms = 10000;
constexpr int wal_retry_ms = 5;

/// One line that names the file and how to recover: what was being done does not matter.
HistoryError corrupt(const std::string& file, const std::string& reason) {
    return HistoryError(fmt::format("history database {} is corrupt ({}); move it and its -wal and -shm files aside "
                                    "and concierge starts a new one",
                                    file, reason));
}

/// SQLite would not notice garbage over the file while the pages it reads are still in the WAL
/// (which is kept between runs), and would go on to checkpoint over it: check the header first.
/// A header still being written by a concurrent first run is a prefix of it, so it passes.
void refuse_non_database(const std::filesystem::path& path) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) return;  // a FIFO would block a read; SQLite refuses it
    static constexpr std::string_view magic("SQLite format 3\0", 16);
    std::array<char, magic.size()> header{};
    std::ifstream file(path, std::ios::binary);
    file.read(header.data(), header.size());
    const auto read = static_cast<std::size_t>(file.gcount());
    if (std::string_view(header.data(), read) != magic.substr(0, read)) throw corrupt(path.string(), "file is not a database");
}

/// Switching a new database to WAL needs an exclusive lock, and when two connections both ask for it
/// SQLite fails one with SQLITE_BUSY at once (waiting could deadlock) instead of calling the busy
/// handler. It cannot run inside a transaction either, so retry until the busy timeout is used up.
void use_wal(sqlite3* db, const std::filesystem::path& path) {
    const auto capture = [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0] ? values[0] : "";
        return 0;
    };
    std::string mode;
    int rc = SQLITE_OK;
    for (int waited_ms = 0;; waited_ms += wal_retry_ms) {
        rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", capture, &mode, nullptr);
        if (rc != SQLITE_BUSY || waited_ms >= busy_timeout_ms) break;
        sqlite3_sleep(wal_retry_ms);
    }
    if (rc != SQLITE_OK) fail(db, "switching to WAL");
    if (mode != "wal") {
        throw HistoryError("history database " + path.string() + ": cannot use WAL journal mode (got '" + mode +
                           "'); is it on a network file system?");
    }
}

/// Creates the missing parent directories 0700: the database holds command lines.
void create_private_parents(const std::filesystem::path& path) {
    std::vector<std::filesystem::path> missing;
    std::error_code unknown;  // an unreadable ancestor is left for mkdir to report
    for (auto dir = path.parent_path(); !dir.empty() && !std::filesystem::exists(dir, unknown);
         dir = dir.parent_path()) {
        missing.push_back(dir);
        if (dir == dir.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
            throw HistoryError("cannot create directory " + it->string() + ": " + std::strerror(errno));
        }
    }
}

/// SQLite creates its -wal and -shm files with the database file's mode, so creating it 0600 here
/// keeps all three private.
void create_private_file(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ::close(fd);
    } else if (errno != EEXIST) {
        throw HistoryError("cannot create " + path.string() + ": " + std::strerror(errno));
    }
}

/// Whether the directory holds nothing but this database's files. Only such a directory is
/// tightened: a shared one ($HOME, /var/lib, /tmp) serves other things, and the database's own
/// 0600 files keep what runs record private there.
bool holds_only_the_database(const std::filesystem::path& directory, const std::filesystem::path& path) {
    const std::string name = path.filename().string();
    std::error_code error;
    for (std::filesystem::directory_iterator entry(directory, error), end; !error && entry != end; entry.increment(error))
        if (!entry->path().filename().string().starts_with(name)) return false;
    return !error;
}

/// The database holds command lines and artifacts (a backup's keys). What exists of it, and its
/// directory when that is its own, is made private if it is ours (with one warning line naming
/// what was tightened); a file someone else owns is refused, since they could read or rewrite
/// what runs record. A directory someone else owns is not ours to change.
void make_existing_private(const std::filesystem::path& path, const HistoryStore::Warn& warn) {
    const auto directory = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    const uid_t me = ::geteuid();
    std::string tightened;
    for (const auto& [item, is_directory] : {std::pair{directory, true}, std::pair{path, false},
                                             std::pair{std::filesystem::path(path.string() + "-wal"), false},
                                             std::pair{std::filesystem::path(path.string() + "-shm"), false}}) {
        struct stat info {};
        // Not there yet (created private), or not what it should be (opening it says so).
        if (::stat(item.c_str(), &info) != 0 || static_cast<bool>(S_ISDIR(info.st_mode)) != is_directory) continue;
        if (is_directory && (info.st_uid != me || !holds_only_the_database(item, path))) continue;
        if (info.st_uid != me) {
            throw HistoryError(fmt::format("history database file {} belongs to uid {}, not to you (uid {}); refusing "
                                           "to record into it: point --history or CONCIERGE_HOME at a file of your own",
                                           item.string(), info.st_uid, me));
        }
        const mode_t mode = info.st_mode & 07777;
        const mode_t private_mode = is_directory ? 0700 : 0600;
        if ((mode & 077) == 0) continue;
        // Changed through a descriptor opened without following links: a link planted in a
        // directory others could write must not make us chmod what it points at.
        const int fd = ::open(item.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && errno == ELOOP) continue;
        struct stat opened {};
        const bool changed = fd >= 0 && ::fstat(fd, &opened) == 0 && opened.st_ino == info.st_ino &&
                             opened.st_dev == info.st_dev && ::fchmod(fd, private_mode) == 0;
        const int error = errno;
        if (fd >= 0) ::close(fd);
        if (!changed) throw HistoryError(fmt::format("cannot make {} private: {}", item.string(), std::strerror(error)));
        tightened += fmt::format("{}{} ({:04o} -> {:04o})", tightened.empty() ? "" : ", ", item.string(), mode, private_mode);
    }
    if (!tightened.empty() && warn) warn("history was open to other users; made private: " + tightened);
}

}  // namespace

[[noreturn]] void fail(sqlite3* db, const std::string& doing) {
    if (const int code = sqlite3_errcode(db); code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        const char* file = sqlite3_db_filename(db, "main");
        throw corrupt(file ? file : "", sqlite3_errmsg(db));
    }
    throw HistoryError("history database: " + doing + ": " + sqlite3_errmsg(db));
}

void exec(sqlite3* db, const char* sql, const std::string& doing) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, doing);
}

Database open_database(const std::filesystem::path& path, const HistoryStore::Warn& warn) {
    create_private_parents(path);
    make_existing_private(path, warn);
    create_private_file(path);
    refuse_non_database(path);
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    // The handle exists even when opening failed, and must be closed either way.
    Database db(raw, &sqlite3_close);
    if (rc != SQLITE_OK) {
        throw HistoryError("cannot open history database " + path.string() + ": " +
                           (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    // Same as PRAGMA busy_timeout; set first so that even switching to WAL waits for other processes.
    sqlite3_busy_timeout(db.get(), busy_timeout_ms);
    use_wal(db.get(), path);
    // Most runs are short: without these, every process would create, sync, checkpoint and delete
    // the WAL (four fsyncs, ~20 ms). SQLite's automatic checkpoint does that work instead, every
    // 100 pages (~14 runs): each new process rebuilds its WAL index by reading the whole WAL, so the
    // WAL is kept short. A crashed process still loses nothing; a power cut may lose the last runs.
    int persist_wal = 1;
    sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
    sqlite3_db_config(db.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    exec(db.get(), "PRAGMA journal_size_limit = 4194304", "limiting the WAL size");
    exec(db.get(), "PRAGMA wal_autocheckpoint = 100", "checkpointing every 100 pages");
    exec(db.get(), "PRAGMA synchronous = NORMAL", "setting synchronous");
    exec(db.get(), "PRAGMA foreign_keys = ON", "enabling foreign keys");
    return db;
}

}  // namespace concierge::history
