#include "history/history_store.hpp"

#include "runtime/process_info.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SHA2Engine.h>
#include <sqlite3.h>
#include <zstd.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <sys/stat.h>
#include <unistd.h>

namespace concierge::history {
namespace {

constexpr int busy_timeout_ms = 10000;
constexpr int wal_retry_ms = 5;
constexpr int zstd_level = 3;

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

/// One line that names the file and how to recover: what was being done does not matter.
HistoryError corrupt(const std::string& file, const std::string& reason) {
    return HistoryError(fmt::format("history database {} is corrupt ({}); move it and its -wal and -shm files aside "
                                    "and concierge starts a new one",
                                    file, reason));
}

[[noreturn]] void fail(sqlite3* db, const std::string& doing) {
    if (const int code = sqlite3_errcode(db); code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        const char* file = sqlite3_db_filename(db, "main");
        throw corrupt(file ? file : "", sqlite3_errmsg(db));
    }
    throw HistoryError("history database: " + doing + ": " + sqlite3_errmsg(db));
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

void exec(sqlite3* db, const char* sql, const std::string& doing) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, doing);
}

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

int user_version(sqlite3* db) {
    Statement stmt(db, "PRAGMA user_version", "reading the schema version");
    stmt.step();
    return static_cast<int>(stmt.integer(0));
}

void refuse_newer(int found, const std::filesystem::path& path) {
    if (found > HistoryStore::current_schema_version()) {
        throw HistoryError("history database " + path.string() + " has schema version " + std::to_string(found) +
                           " but this concierge knows only up to " +
                           std::to_string(HistoryStore::current_schema_version()) +
                           "; upgrade concierge to use it");
    }
}

void migrate(sqlite3* db, const std::filesystem::path& path) {
    refuse_newer(user_version(db), path);
    for (int target = 1; target <= HistoryStore::current_schema_version(); ++target) {
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

/// Replaces each maximal invalid subpart of UTF-8 with U+FFFD (the Unicode-recommended practice),
/// leaving valid text, NULs included, untouched.
std::string valid_utf8(const std::string& bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto lead = static_cast<unsigned char>(bytes[i]);
        const std::size_t length = lead < 0x80                  ? 1
                                   : lead >= 0xC2 && lead <= 0xDF ? 2
                                   : lead >= 0xE0 && lead <= 0xEF ? 3
                                   : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                                  : 0;
        std::size_t good = length > 0 ? 1 : 0;
        for (; good < length && i + good < bytes.size(); ++good) {
            const auto next = static_cast<unsigned char>(bytes[i + good]);
            // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
            const unsigned char low = good == 1 && lead == 0xE0 ? 0xA0 : good == 1 && lead == 0xF0 ? 0x90 : 0x80;
            const unsigned char high = good == 1 && lead == 0xED ? 0x9F : good == 1 && lead == 0xF4 ? 0x8F : 0xBF;
            if (next < low || next > high) break;
        }
        if (length > 0 && good == length) {
            out.append(bytes, i, length);
            i += length;
        } else {
            out += "\xEF\xBF\xBD";
            i += good > 0 ? good : 1;
        }
    }
    return out;
}

std::string arguments_to_json(const std::vector<std::string>& arguments) {
    // JSON text is Unicode (Poco's parser rejects invalid UTF-8) but an argument may be any bytes.
    Poco::JSON::Array array;
    for (const auto& argument : arguments) array.add(valid_utf8(argument));
    std::ostringstream out;
    array.stringify(out);
    return out.str();
}

std::vector<std::string> arguments_from_json(const std::string& json, std::int64_t run_id) {
    try {
        Poco::JSON::Parser parser;
        const auto array = parser.parse(json).extract<Poco::JSON::Array::Ptr>();
        std::vector<std::string> arguments;
        arguments.reserve(array->size());
        for (std::size_t i = 0; i < array->size(); ++i) arguments.push_back(array->getElement<std::string>(i));
        return arguments;
    } catch (const Poco::Exception& error) {
        throw HistoryError("history database: run " + std::to_string(run_id) +
                           " has unreadable arguments: " + error.displayText());
    }
}

/// Whether a run recorded on this host as running by pid (started at pid_start) has no process left.
bool process_gone(std::int64_t pid, const std::string& pid_start) {
    if (pid <= 0 || pid > std::numeric_limits<pid_t>::max()) return true;
    const auto process = static_cast<pid_t>(pid);
    if (kill(process, 0) != 0 && errno == ESRCH) return true;
    if (pid_start.empty()) return false;
    const std::string actual = runtime::process_start_time(process);
    // A different start time means the pid now names another process.
    return !actual.empty() && actual != pid_start;
}

constexpr const char* run_columns =
    "id, plugin, plugin_version, arguments, started_at, ended_at, status, exit_code, summary, error, host, "
    "user, pid, pid_start";

/// Reads a row selected with run_columns, telling abandoned runs apart.
Run read_run(const Statement& stmt) {
    Run run;
    run.id = stmt.integer(0);
    run.plugin = stmt.bytes(1);
    run.plugin_version = stmt.bytes(2);
    run.arguments = arguments_from_json(stmt.bytes(3), run.id);
    run.started_at = stmt.integer(4);
    if (!stmt.is_null(5)) run.ended_at = stmt.integer(5);
    const std::string status = stmt.bytes(6);
    const auto parsed = parse_run_status(status);
    if (!parsed) {
        throw HistoryError("history database: run " + std::to_string(run.id) + " has unknown status '" + status + "'");
    }
    run.status = *parsed;
    if (!stmt.is_null(7)) run.exit_code = static_cast<int>(stmt.integer(7));
    run.summary = stmt.bytes(8);
    run.error = stmt.bytes(9);
    run.host = stmt.bytes(10);
    run.user = stmt.bytes(11);
    run.pid = stmt.integer(12);
    static const std::string host = runtime::host_name();
    if (run.status == RunStatus::Running && run.host == host && process_gone(run.pid, stmt.bytes(13))) {
        run.status = RunStatus::Abandoned;
    }
    return run;
}

// Artifacts smaller than this are stored whole: a delta would save next to nothing.
constexpr std::size_t delta_threshold = 64 * 1024;

/// A zstd context with `prefix` (a base blob's content) referenced, as `zstd --patch-from` does:
/// a window covering prefix and content, and long-distance matching to find the prefix's copy of
/// each part. Without a prefix, plain level-3 compression.
std::string compress(std::string_view bytes, std::string_view prefix = {}) {
    const std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
    if (!cctx) throw HistoryError("compressing an artifact: out of memory");
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, zstd_level);
    if (!prefix.empty()) {
        const ZSTD_bounds bounds = ZSTD_cParam_getBounds(ZSTD_c_windowLog);
        int window = bounds.lowerBound;
        while (window < bounds.upperBound && (std::size_t{1} << window) < prefix.size() + bytes.size()) ++window;
        ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_windowLog, window);
        ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_enableLongDistanceMatching, 1);
        ZSTD_CCtx_refPrefix(cctx.get(), prefix.data(), prefix.size());
    }
    // Uninitialised: only the pages zstd writes are touched, not the whole bound (as large as the
    // artifact).
    const std::size_t bound = ZSTD_compressBound(bytes.size());
    const std::unique_ptr<char[]> out(new char[bound]);
    const std::size_t size = ZSTD_compress2(cctx.get(), out.get(), bound, bytes.data(), bytes.size());
    if (ZSTD_isError(size)) throw HistoryError(std::string("compressing an artifact: ") + ZSTD_getErrorName(size));
    return std::string(out.get(), size);
}

std::string decompress(const std::string& compressed, std::int64_t expected_size, const std::string& what,
                       std::string_view prefix = {}) {
    const unsigned long long declared = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN || expected_size < 0 ||
        declared != static_cast<unsigned long long>(expected_size)) {
        throw HistoryError("history database: " + what + " is corrupt (bad compressed frame)");
    }
    const std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
    if (!dctx) throw HistoryError("history database: reading " + what + ": out of memory");
    ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, ZSTD_dParam_getBounds(ZSTD_d_windowLogMax).upperBound);
    if (!prefix.empty()) ZSTD_DCtx_refPrefix(dctx.get(), prefix.data(), prefix.size());
    std::string out(static_cast<std::size_t>(declared), '\0');
    const std::size_t size = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), compressed.data(), compressed.size());
    if (ZSTD_isError(size) || size != out.size()) {
        throw HistoryError("history database: " + what + " is corrupt (" +
                           (ZSTD_isError(size) ? ZSTD_getErrorName(size) : "short content") + ")");
    }
    return out;
}

/// Deltas are written one level deep (against a full blob); a few more are read, but a longer
/// chain, or one that loops, is a corrupt database: an error, not a hang or a stack overflow.
constexpr std::size_t max_delta_chain = 4;

/// A stored blob, decompressed: each delta applied to its base's content, from the full blob up.
std::string blob_content(sqlite3* db, const std::string& sha256, const std::string& what) {
    struct Link {
        std::int64_t size;
        std::string data;
    };
    std::vector<Link> chain;  // the blob, then its base, then that one's base...
    std::set<std::string> seen;
    for (std::optional<std::string> next = sha256; next;) {
        if (!seen.insert(*next).second)
            throw HistoryError("history database: " + what + " is corrupt (its delta chain loops back to blob " + *next + ")");
        if (chain.size() > max_delta_chain) {
            throw HistoryError("history database: " + what + " is corrupt (a delta chain longer than " +
                               std::to_string(max_delta_chain) + ")");
        }
        Statement select(db, "SELECT size, compression, data, base FROM blobs WHERE sha256 = ?1", "reading " + what);
        select.bind(1, *next);
        if (!select.step()) throw HistoryError("history database: no content for " + what);
        const std::string compression = select.bytes(1);
        const bool delta = compression == "zstd-delta" && !select.is_null(3);
        if (compression != "zstd" && !delta)
            throw HistoryError("history database: " + what + " uses unknown compression '" + compression + "'");
        chain.push_back({select.integer(0), select.bytes(2)});
        next = delta ? std::optional(select.bytes(3)) : std::nullopt;
    }
    std::string content;
    for (auto link = chain.rbegin(); link != chain.rend(); ++link) content = decompress(link->data, link->size, what, content);
    return content;
}

/// The newest full blob stored for an artifact of this name, as a base for a delta; none when
/// there is none or the content is small.
std::optional<std::pair<std::string, std::string>> delta_base(sqlite3* db, const std::string& name, std::size_t size) {
    if (size < delta_threshold) return std::nullopt;
    Statement select(db,
                     "SELECT b.sha256 FROM artifacts a JOIN blobs b ON b.sha256 = a.sha256 "
                     "WHERE a.name = ?1 AND b.compression = 'zstd' ORDER BY a.run_id DESC LIMIT 1",
                     "finding an earlier '" + name + "'");
    select.bind(1, name);
    if (!select.step()) return std::nullopt;
    std::string sha256 = select.bytes(0);
    std::string content = blob_content(db, sha256, "an earlier '" + name + "'");
    return std::make_pair(std::move(sha256), std::move(content));
}

}  // namespace

std::string to_string(RunStatus status) {
    switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Succeeded: return "succeeded";
    case RunStatus::Failed: return "failed";
    case RunStatus::Interrupted: return "interrupted";
    case RunStatus::Abandoned: return "abandoned";
    }
    return "unknown";
}

std::optional<RunStatus> parse_run_status(const std::string& text) {
    for (const auto status : {RunStatus::Running, RunStatus::Succeeded, RunStatus::Failed, RunStatus::Interrupted,
                              RunStatus::Abandoned}) {
        if (text == to_string(status)) return status;
    }
    return std::nullopt;
}

std::string sha256_hex(std::string_view bytes) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(bytes.data(), bytes.size());
    return Poco::DigestEngine::digestToHex(engine.digest());
}

HistoryStore::HistoryStore(const std::filesystem::path& path, const Warn& warn) {
    create_private_parents(path);
    make_existing_private(path, warn);
    create_private_file(path);
    refuse_non_database(path);
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    // The handle exists even when opening failed, and must be closed either way.
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
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
    migrate(db.get(), path);
    db_ = db.release();
}

HistoryStore::~HistoryStore() {
    sqlite3_close(db_);
}

int HistoryStore::current_schema_version() {
    return static_cast<int>(migrations.size());
}

int HistoryStore::schema_version() const {
    return user_version(db_);
}

std::int64_t HistoryStore::begin_run(const NewRun& run) {
    const std::string doing = "recording the start of a " + run.plugin + " run";
    WriteTransaction transaction(db_, doing);
    Statement insert(db_,
                     "INSERT INTO runs (plugin, plugin_version, arguments, started_at, status, host, user, pid, "
                     "pid_start) VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?8)",
                     doing);
    insert.bind(1, run.plugin);
    insert.bind(2, run.plugin_version);
    insert.bind(3, arguments_to_json(run.arguments));
    insert.bind(4, run.started_at);
    insert.bind(5, run.host);
    insert.bind(6, run.user);
    insert.bind(7, run.pid);
    insert.bind(8, run.pid_start);
    insert.step();
    const std::int64_t id = sqlite3_last_insert_rowid(db_);
    transaction.commit();
    return id;
}

void HistoryStore::finish_run(std::int64_t run_id, const RunOutcome& outcome) {
    const std::string doing = "recording the end of run " + std::to_string(run_id);
    if (outcome.status == RunStatus::Running || outcome.status == RunStatus::Abandoned) {
        throw HistoryError(doing + ": a run cannot finish as " + to_string(outcome.status));
    }
    WriteTransaction transaction(db_, doing);
    Statement update(db_,
                     "UPDATE runs SET ended_at = ?1, status = ?2, exit_code = ?3, summary = ?4, error = ?5 "
                     "WHERE id = ?6",
                     doing);
    update.bind(1, outcome.ended_at);
    update.bind(2, to_string(outcome.status));
    update.bind(3, std::int64_t{outcome.exit_code});
    update.bind(4, outcome.summary);
    update.bind(5, outcome.error);
    update.bind(6, run_id);
    update.step();
    if (sqlite3_changes(db_) == 0) throw HistoryError(doing + ": no such run");
    transaction.commit();
}

ArtifactInfo HistoryStore::save_artifact(std::int64_t run_id, const std::string& name, std::string_view content,
                                         const std::string& media_type) {
    const std::string doing = "saving artifact '" + name + "' of run " + std::to_string(run_id);
    const ArtifactInfo info{name, media_type, static_cast<std::int64_t>(content.size()), sha256_hex(content)};
    // Outside the transaction, so processes compress in parallel and hold the write lock briefly.
    // A delta against the newest full copy of the same name when it is much smaller (an unchanged
    // export but for its date: a few kB instead of 1.3 MB).
    std::string compressed = compress(content);
    std::optional<std::string> base;
    if (const auto candidate = delta_base(db_, name, content.size()); candidate && candidate->first != info.sha256) {
        std::string delta = compress(content, candidate->second);
        if (delta.size() < compressed.size() / 2) {
            compressed = std::move(delta);
            base = candidate->first;
        }
    }

    WriteTransaction transaction(db_, doing);
    std::optional<std::string> replaced;
    {
        Statement previous(db_, "SELECT sha256 FROM artifacts WHERE run_id = ?1 AND name = ?2", doing);
        previous.bind(1, run_id);
        previous.bind(2, name);
        if (previous.step()) replaced = previous.bytes(0);
    }
    if (base) {
        // The base was read outside the transaction: it must still be there.
        Statement exists(db_, "SELECT 1 FROM blobs WHERE sha256 = ?1", doing);
        exists.bind(1, *base);
        if (!exists.step()) {
            compressed = compress(content);
            base.reset();
        }
    }
    {
        Statement blob(db_,
                       "INSERT OR IGNORE INTO blobs (sha256, size, compression, data, base) VALUES (?1, ?2, ?3, ?4, ?5)",
                       doing);
        blob.bind(1, info.sha256);
        blob.bind(2, info.size);
        blob.bind(3, std::string(base ? "zstd-delta" : "zstd"));
        blob.bind_blob(4, compressed);
        if (base) blob.bind(5, *base);
        blob.step();
    }
    {
        Statement artifact(db_,
                           "INSERT INTO artifacts (run_id, name, sha256, media_type, size) VALUES (?1, ?2, ?3, ?4, ?5) "
                           "ON CONFLICT (run_id, name) DO UPDATE SET sha256 = excluded.sha256, "
                           "media_type = excluded.media_type, size = excluded.size",
                           doing);
        artifact.bind(1, run_id);
        artifact.bind(2, name);
        artifact.bind(3, info.sha256);
        artifact.bind(4, media_type);
        artifact.bind(5, info.size);
        artifact.step();
    }
    if (replaced && *replaced != info.sha256) {
        // The replaced content may now belong to no artifact at all, and then its base may too.
        for (std::optional<std::string> orphan = replaced; orphan;) {
            std::optional<std::string> its_base;
            {
                Statement select(db_, "SELECT base FROM blobs WHERE sha256 = ?1", doing);
                select.bind(1, *orphan);
                if (select.step() && !select.is_null(0)) its_base = select.bytes(0);
            }
            Statement remove(db_,
                             "DELETE FROM blobs WHERE sha256 = ?1 AND NOT EXISTS (SELECT 1 FROM artifacts WHERE sha256 = ?1) "
                             "AND NOT EXISTS (SELECT 1 FROM blobs WHERE base = ?1)",
                             doing);
            remove.bind(1, *orphan);
            remove.step();
            orphan = sqlite3_changes(db_) > 0 ? its_base : std::nullopt;
        }
    }
    transaction.commit();
    return info;
}

std::vector<ArtifactInfo> HistoryStore::artifacts(std::int64_t run_id) const {
    Statement select(db_, "SELECT name, media_type, size, sha256 FROM artifacts WHERE run_id = ?1 ORDER BY name",
                     "listing the artifacts of run " + std::to_string(run_id));
    select.bind(1, run_id);
    std::vector<ArtifactInfo> result;
    while (select.step()) result.push_back({select.bytes(0), select.bytes(1), select.integer(2), select.bytes(3)});
    return result;
}

std::string HistoryStore::artifact_content(std::int64_t run_id, const std::string& name) const {
    const std::string what = "artifact '" + name + "' of run " + std::to_string(run_id);
    Statement select(db_, "SELECT sha256 FROM artifacts WHERE run_id = ?1 AND name = ?2", "reading " + what);
    select.bind(1, run_id);
    select.bind(2, name);
    if (!select.step()) throw HistoryError("history database: no " + what);
    const std::string sha256 = select.bytes(0);
    std::string content = blob_content(db_, sha256, what);
    if (sha256_hex(content) != sha256) {
        throw HistoryError("history database: " + what + " is corrupt (sha256 mismatch)");
    }
    return content;
}

std::optional<Run> HistoryStore::run(std::int64_t run_id) const {
    Statement select(db_, (std::string("SELECT ") + run_columns + " FROM runs WHERE id = ?1").c_str(),
                     "reading run " + std::to_string(run_id));
    select.bind(1, run_id);
    if (!select.step()) return std::nullopt;
    return read_run(select);
}

std::vector<Run> HistoryStore::runs(const RunFilter& filter) const {
    // Running and Abandoned are both stored as 'running'; which one a row is gets decided in C++, so
    // the limit applies after that.
    const bool classify = filter.status == RunStatus::Running || filter.status == RunStatus::Abandoned;
    // Only fixed SQL fragments are concatenated; every value is bound.
    std::string sql = std::string("SELECT ") + run_columns + " FROM runs WHERE 1";
    if (filter.plugin) sql += " AND plugin = ?1";
    if (filter.status) sql += " AND status = ?2";
    if (filter.since) sql += " AND started_at >= ?3";
    sql += " ORDER BY started_at DESC, id DESC";
    if (!classify) sql += " LIMIT ?4";

    Statement select(db_, sql.c_str(), "listing runs");
    if (filter.plugin) select.bind(1, *filter.plugin);
    if (filter.status) select.bind(2, to_string(classify ? RunStatus::Running : *filter.status));
    if (filter.since) select.bind(3, *filter.since);
    // A limit of zero or less means no limit (SQLite's LIMIT -1).
    const std::int64_t limit = filter.limit > 0 ? filter.limit : -1;
    if (!classify) select.bind(4, limit);

    std::vector<Run> result;
    while ((limit < 0 || static_cast<std::int64_t>(result.size()) < limit) && select.step()) {
        Run run = read_run(select);
        if (!classify || run.status == *filter.status) result.push_back(std::move(run));
    }
    return result;
}

std::optional<Millis> HistoryStore::last_success_with_artifact(const std::string& plugin,
                                                               const std::string& artifact_name) const {
    Statement select(db_,
                     "SELECT MAX(r.ended_at) FROM runs r JOIN artifacts a ON a.run_id = r.id"
                     " WHERE r.plugin = ?1 AND r.status = 'succeeded' AND a.name = ?2",
                     "reading the last successful run of " + plugin);
    select.bind(1, plugin);
    select.bind(2, artifact_name);
    if (!select.step() || select.is_null(0)) return std::nullopt;
    return select.integer(0);
}

std::optional<std::int64_t> HistoryStore::latest_run_with_artifact(const std::string& plugin, const std::string& artifact_name,
                                                                   std::int64_t excluded) const {
    Statement select(db_,
                     "SELECT r.id FROM runs r JOIN artifacts a ON a.run_id = r.id"
                     " WHERE r.plugin = ?1 AND a.name = ?2 AND r.id <> ?3 ORDER BY r.started_at DESC, r.id DESC LIMIT 1",
                     "reading the latest run of " + plugin + " with " + artifact_name);
    select.bind(1, plugin);
    select.bind(2, artifact_name);
    select.bind(3, excluded);
    if (!select.step()) return std::nullopt;
    return select.integer(0);
}

}  // namespace concierge::history
