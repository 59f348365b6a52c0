// The store: runs and artifacts as rows and the rules over them (abandoned runs, deltas, orphaned
// blobs). The SQLite access, the schema and the blob codec it builds on are in their own files.
#include "history/history_store.hpp"

#include "history/blob_codec.hpp"
#include "history/schema.hpp"
#include "history/sqlite_db.hpp"
#include "process/process_info.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <cerrno>
#include <csignal>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

namespace concierge::history {
namespace {

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

HistoryStore::HistoryStore(const std::filesystem::path& path, const Warn& warn) {
    Database db = open_database(path, warn);
    migrate(db.get(), path);
    db_ = db.release();
}

HistoryStore::~HistoryStore() {
    sqlite3_close(db_);
}

int HistoryStore::current_schema_version() {
    return latest_schema_version();
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
