#include "history/history_store.hpp"
#include "process/process_info.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace concierge::history {
namespace {

namespace fs = std::filesystem;

NewRun new_run(const std::string& plugin, Millis started_at) {
    NewRun run;
    run.plugin = plugin;
    run.plugin_version = "1.2.3";
    run.arguments = {"--flag", "value"};
    run.started_at = started_at;
    run.host = runtime::host_name();
    run.user = "tester";
    run.pid = getpid();
    run.pid_start = runtime::process_start_time(getpid());
    return run;
}

RunOutcome succeeded(Millis ended_at) {
    RunOutcome outcome;
    outcome.ended_at = ended_at;
    return outcome;
}

std::vector<std::int64_t> ids(const std::vector<Run>& runs) {
    std::vector<std::int64_t> result;
    for (const auto& run : runs) result.push_back(run.id);
    return result;
}

/// A second, independent connection, to look at or tamper with what the store wrote.
class RawDb {
public:
    explicit RawDb(const fs::path& path) {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
            const std::string message = sqlite3_errmsg(db_);
            sqlite3_close(db_);
            throw std::runtime_error(message);
        }
        sqlite3_busy_timeout(db_, 10000);
    }
    ~RawDb() { sqlite3_close(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    void exec(const std::string& sql) {
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
            throw std::runtime_error(sqlite3_errmsg(db_));
        }
    }
    /// The EXPLAIN QUERY PLAN details of sql, one per line.
    std::string plan(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
            throw std::runtime_error(sqlite3_errmsg(db_));
        }
        std::string text;
        while (sqlite3_step(stmt) == SQLITE_ROW) text += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)) + std::string("\n");
        sqlite3_finalize(stmt);
        return text;
    }
    std::int64_t integer(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
            throw std::runtime_error(sqlite3_errmsg(db_));
        }
        const bool row = sqlite3_step(stmt) == SQLITE_ROW;
        const std::int64_t value = row ? sqlite3_column_int64(stmt, 0) : -1;
        sqlite3_finalize(stmt);
        if (!row) throw std::runtime_error("no row for: " + sql);
        return value;
    }

private:
    sqlite3* db_ = nullptr;
};

/// Waits for a forked child; true when it exited 0.
bool exited_cleanly(pid_t pid) {
    int status = 0;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class HistoryStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "history-test-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        db_path_ = dir_ / "state" / "concierge" / "history.db";
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path dir_;
    fs::path db_path_;
};

TEST_F(HistoryStoreTest, CreatesPrivateFileAndParentDirectoriesAtCurrentSchema) {
    HistoryStore store(db_path_);
    EXPECT_TRUE(fs::is_regular_file(db_path_));
    EXPECT_EQ(store.schema_version(), HistoryStore::current_schema_version());
    EXPECT_GE(HistoryStore::current_schema_version(), 1);

    struct stat info {};
    ASSERT_EQ(stat(db_path_.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    ASSERT_EQ(stat(db_path_.parent_path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
    ASSERT_EQ(stat(db_path_.parent_path().parent_path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
}

TEST_F(HistoryStoreTest, ReopeningKeepsDataAndUsesWal) {
    std::int64_t id = 0;
    {
        HistoryStore store(db_path_);
        id = store.begin_run(new_run("disk", 1000));
    }
    HistoryStore store(db_path_);
    EXPECT_TRUE(store.run(id).has_value());
    RawDb raw(db_path_);
    EXPECT_EQ(raw.integer("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
}

TEST_F(HistoryStoreTest, RefusesDatabaseFromNewerVersionAskingToUpgrade) {
    { HistoryStore store(db_path_); }
    RawDb(db_path_).exec("PRAGMA user_version = " + std::to_string(HistoryStore::current_schema_version() + 1));
    try {
        HistoryStore store(db_path_);
        FAIL() << "a newer schema was accepted";
    } catch (const HistoryError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("upgrade concierge"), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

TEST_F(HistoryStoreTest, BeginAndFinishRunRoundTripEveryField) {
    HistoryStore store(db_path_);
    NewRun started = new_run("disk-usage", 1'700'000'000'123);
    started.arguments = {"--path", "/tmp/with space", "quote\"back\\slash", "tab\tnew\nline", "caf\xc3\xa9", ""};
    started.host = "host-a";
    started.user = "alice";
    started.pid = 4242;
    const std::int64_t id = store.begin_run(started);

    const auto running = store.run(id);
    ASSERT_TRUE(running.has_value());
    EXPECT_EQ(running->status, RunStatus::Running);
    EXPECT_FALSE(running->ended_at.has_value());
    EXPECT_FALSE(running->exit_code.has_value());

    RunOutcome outcome;
    outcome.status = RunStatus::Failed;
    outcome.exit_code = 3;
    outcome.ended_at = 1'700'000'004'567;
    outcome.summary = "2 of 5 checks failed";
    outcome.error = "disk /var is 97% full";
    store.finish_run(id, outcome);

    const auto run = store.run(id);
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->id, id);
    EXPECT_EQ(run->plugin, "disk-usage");
    EXPECT_EQ(run->plugin_version, "1.2.3");
    EXPECT_EQ(run->arguments, started.arguments);
    EXPECT_EQ(run->started_at, 1'700'000'000'123);
    EXPECT_EQ(run->ended_at, 1'700'000'004'567);
    EXPECT_EQ(run->status, RunStatus::Failed);
    EXPECT_EQ(run->exit_code, 3);
    EXPECT_EQ(run->summary, "2 of 5 checks failed");
    EXPECT_EQ(run->error, "disk /var is 97% full");
    EXPECT_EQ(run->host, "host-a");
    EXPECT_EQ(run->user, "alice");
    EXPECT_EQ(run->pid, 4242);

    EXPECT_FALSE(store.run(id + 1).has_value());
    EXPECT_THROW(store.finish_run(id + 1, outcome), HistoryError);
}

TEST_F(HistoryStoreTest, ArgumentsThatAreNotUtf8ComeBackWithReplacementCharacters) {
    // Each maximal invalid sequence becomes one U+FFFD instead of making the run unreadable.
    HistoryStore store(db_path_);
    NewRun odd = new_run("files", 1);
    odd.arguments = {"r\xe9sum\xe9.txt", "cut\xe2\x82", "\xc0\xafslash", "\xed\xa0\x80surrogate", "ok\xf0\x9f\x98\x80"};
    const auto reread = store.run(store.begin_run(odd));
    ASSERT_TRUE(reread.has_value());
    const std::string replacement = "\xef\xbf\xbd";
    EXPECT_EQ(reread->arguments,
              (std::vector<std::string>{"r" + replacement + "sum" + replacement + ".txt", "cut" + replacement,
                                        replacement + replacement + "slash",
                                        replacement + replacement + replacement + "surrogate",
                                        "ok\xf0\x9f\x98\x80"}));
}

TEST_F(HistoryStoreTest, RunStatusTextRoundTrips) {
    for (const auto status : {RunStatus::Running, RunStatus::Succeeded, RunStatus::Failed, RunStatus::Interrupted,
                              RunStatus::Abandoned}) {
        EXPECT_EQ(parse_run_status(to_string(status)), status);
    }
    EXPECT_EQ(to_string(RunStatus::Interrupted), "interrupted");
    EXPECT_EQ(parse_run_status("Succeeded"), std::nullopt);
    EXPECT_EQ(parse_run_status(""), std::nullopt);
}

TEST_F(HistoryStoreTest, RunsAreNewestFirstAndFilteredByPluginStatusSinceAndLimit) {
    HistoryStore store(db_path_);
    // Ties on started_at are broken by id, newest first.
    const std::int64_t a = store.begin_run(new_run("alpha", 100));
    const std::int64_t b = store.begin_run(new_run("beta", 300));
    const std::int64_t c = store.begin_run(new_run("alpha", 200));
    const std::int64_t d = store.begin_run(new_run("alpha", 300));
    store.finish_run(a, succeeded(150));
    store.finish_run(b, succeeded(350));
    RunOutcome failed = succeeded(250);
    failed.status = RunStatus::Failed;
    failed.exit_code = 1;
    store.finish_run(c, failed);

    using Ids = std::vector<std::int64_t>;
    EXPECT_EQ(ids(store.runs({})), (Ids{d, b, c, a}));
    EXPECT_EQ(ids(store.runs({.limit = 2})), (Ids{d, b}));
    EXPECT_EQ(ids(store.runs({.plugin = "alpha"})), (Ids{d, c, a}));
    EXPECT_EQ(ids(store.runs({.plugin = "gamma"})), Ids{});
    EXPECT_EQ(ids(store.runs({.status = RunStatus::Succeeded})), (Ids{b, a}));
    EXPECT_EQ(ids(store.runs({.status = RunStatus::Failed})), (Ids{c}));
    EXPECT_EQ(ids(store.runs({.status = RunStatus::Running})), (Ids{d}));
    EXPECT_EQ(ids(store.runs({.since = 200})), (Ids{d, b, c}));
    EXPECT_EQ(ids(store.runs({.plugin = "alpha", .status = RunStatus::Succeeded, .since = 100})), (Ids{a}));
    EXPECT_EQ(ids(store.runs({.plugin = "alpha", .since = 200, .limit = 1})), (Ids{d}));
}

TEST_F(HistoryStoreTest, LastSuccessWithArtifactIsTheNewestSucceededRunOfThatPluginThatSavedIt) {
    HistoryStore store(db_path_);
    auto run_with = [&](const std::string& plugin, Millis start, const std::string& artifact, RunStatus status) {
        const std::int64_t id = store.begin_run(new_run(plugin, start));
        store.save_artifact(id, artifact, "{}", "application/json");
        RunOutcome outcome = succeeded(start + 10);
        outcome.status = status;
        store.finish_run(id, outcome);
    };
    EXPECT_EQ(store.last_success_with_artifact("scale", "compose/p/web"), std::nullopt);
    run_with("scale", 100, "compose/p/web", RunStatus::Succeeded);
    run_with("scale", 200, "compose/p/web", RunStatus::Succeeded);
    run_with("scale", 300, "compose/p/web", RunStatus::Failed);      // failed runs do not count
    run_with("scale", 400, "compose/p/worker", RunStatus::Succeeded);  // another service
    run_with("other", 500, "compose/p/web", RunStatus::Succeeded);     // another plugin
    store.begin_run(new_run("scale", 600));                            // still running
    EXPECT_EQ(store.last_success_with_artifact("scale", "compose/p/web"), 210);
    EXPECT_EQ(store.last_success_with_artifact("scale", "compose/p/worker"), 410);
}

TEST_F(HistoryStoreTest, RunningRowOfDeadProcessIsAbandonedButLiveOneStaysRunning) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) _exit(0);
    ASSERT_TRUE(exited_cleanly(child));  // reaped, so the pid no longer exists

    HistoryStore store(db_path_);
    NewRun dead = new_run("probe", 100);
    dead.pid = child;
    dead.pid_start = "1";
    const std::int64_t dead_id = store.begin_run(dead);
    const std::int64_t live_id = store.begin_run(new_run("probe", 200));
    NewRun reused = new_run("probe", 300);  // our pid, but a start time that is not ours
    reused.pid_start = "1";
    const std::int64_t reused_id = store.begin_run(reused);
    NewRun remote = new_run("probe", 400);  // dead pid on another machine: cannot tell, stays running
    remote.host = "some-other-host.invalid";
    remote.pid = child;
    const std::int64_t remote_id = store.begin_run(remote);

    EXPECT_EQ(store.run(dead_id)->status, RunStatus::Abandoned);
    EXPECT_EQ(store.run(reused_id)->status, RunStatus::Abandoned);
    EXPECT_EQ(store.run(live_id)->status, RunStatus::Running);
    EXPECT_EQ(store.run(remote_id)->status, RunStatus::Running);

    const auto abandoned = store.runs({.status = RunStatus::Abandoned});
    ASSERT_EQ(abandoned.size(), 2u);
    EXPECT_EQ(abandoned[0].id, reused_id);
    EXPECT_EQ(abandoned[1].id, dead_id);
    EXPECT_EQ(abandoned[0].status, RunStatus::Abandoned);

    const auto running = store.runs({.status = RunStatus::Running});
    ASSERT_EQ(running.size(), 2u);
    EXPECT_EQ(running[0].id, remote_id);
    EXPECT_EQ(running[1].id, live_id);

    // The limit counts classified rows, not the 'running' rows SQL returned.
    const auto first_abandoned = store.runs({.status = RunStatus::Abandoned, .limit = 1});
    ASSERT_EQ(first_abandoned.size(), 1u);
    EXPECT_EQ(first_abandoned[0].id, reused_id);
    const auto all = store.runs({});
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[1].status, RunStatus::Abandoned);
    EXPECT_EQ(all[3].status, RunStatus::Abandoned);
}

TEST_F(HistoryStoreTest, ArtifactsRoundTripByteIdentical) {
    HistoryStore store(db_path_);
    const std::int64_t id = store.begin_run(new_run("dump", 1));
    const std::string json = R"({"disks":[{"mount":"/","used":0.42}]})";
    const std::string binary("\0\x01\xff\xfe{\"a\":\0}\n\0", 12);
    const std::string empty;

    const ArtifactInfo saved = store.save_artifact(id, "report", json, "application/json");
    EXPECT_EQ(saved.name, "report");
    EXPECT_EQ(saved.media_type, "application/json");
    EXPECT_EQ(saved.size, static_cast<std::int64_t>(json.size()));
    EXPECT_EQ(saved.sha256, sha256_hex(json));
    EXPECT_EQ(saved.sha256.size(), 64u);
    store.save_artifact(id, "binary", binary, "application/octet-stream");
    store.save_artifact(id, "empty", empty, "application/json");

    const auto listed = store.artifacts(id);
    ASSERT_EQ(listed.size(), 3u);
    EXPECT_EQ(listed[0].name, "binary");
    EXPECT_EQ(listed[0].size, 12);
    EXPECT_EQ(listed[0].sha256, sha256_hex(binary));
    EXPECT_EQ(listed[1].name, "empty");
    EXPECT_EQ(listed[1].size, 0);
    EXPECT_EQ(listed[2].name, "report");
    EXPECT_EQ(listed[2].media_type, "application/json");

    EXPECT_EQ(store.artifact_content(id, "report"), json);
    EXPECT_EQ(store.artifact_content(id, "binary"), binary);
    EXPECT_EQ(store.artifact_content(id, "empty"), empty);
    EXPECT_TRUE(store.artifacts(id + 1).empty());
}

TEST_F(HistoryStoreTest, Sha256MatchesKnownVector) {
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(HistoryStoreTest, IdenticalContentInTwoRunsIsStoredOnce) {
    HistoryStore store(db_path_);
    const std::int64_t first = store.begin_run(new_run("dump", 1));
    const std::int64_t second = store.begin_run(new_run("dump", 2));
    const std::string doc = R"({"same":true})";
    store.save_artifact(first, "result", doc, "application/json");
    store.save_artifact(second, "copy", doc, "application/json");

    RawDb raw(db_path_);
    EXPECT_EQ(raw.integer("SELECT count(*) FROM blobs"), 1);
    EXPECT_EQ(raw.integer("SELECT count(*) FROM artifacts"), 2);
    EXPECT_EQ(store.artifact_content(second, "copy"), doc);
}

TEST_F(HistoryStoreTest, SavingUnderAnExistingNameReplacesTheArtifact) {
    HistoryStore store(db_path_);
    const std::int64_t id = store.begin_run(new_run("dump", 1));
    store.save_artifact(id, "result", R"({"v":1})", "application/json");
    const ArtifactInfo replaced = store.save_artifact(id, "result", "v2 as text", "text/plain");

    const auto listed = store.artifacts(id);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].media_type, "text/plain");
    EXPECT_EQ(listed[0].sha256, replaced.sha256);
    EXPECT_EQ(listed[0].size, 10);
    EXPECT_EQ(store.artifact_content(id, "result"), "v2 as text");
    // The old content, referenced by nothing now, is gone.
    EXPECT_EQ(RawDb(db_path_).integer("SELECT count(*) FROM blobs"), 1);
}

TEST_F(HistoryStoreTest, ArtifactOfUnknownRunIsRejected) {
    HistoryStore store(db_path_);
    EXPECT_THROW(store.save_artifact(12345, "result", "{}", "application/json"), HistoryError);
}

TEST_F(HistoryStoreTest, RepetitiveJsonIsStoredCompressed) {
    HistoryStore store(db_path_);
    const std::int64_t id = store.begin_run(new_run("dump", 1));
    std::string doc = "[";
    for (int i = 0; doc.size() < 1'000'000; ++i) {
        doc += R"({"mount":"/srv/data)" + std::to_string(i % 10) + R"(","used":12345,"ok":true},)";
    }
    doc += "null]";
    store.save_artifact(id, "big", doc, "application/json");

    const std::int64_t stored = RawDb(db_path_).integer("SELECT length(data) FROM blobs");
    EXPECT_LT(stored, static_cast<std::int64_t>(doc.size() / 20)) << "stored " << stored << " of " << doc.size();
    EXPECT_EQ(RawDb(db_path_).integer("SELECT size FROM blobs"), static_cast<std::int64_t>(doc.size()));
    EXPECT_EQ(store.artifact_content(id, "big"), doc);
}

/// A large document that compresses poorly on its own (pseudo-random digits), so a delta shows.
std::string large_export(const std::string& date) {
    std::string doc = R"({"zabbix_export":{"version":"6.0","date":")" + date + R"(","templates":[)";
    std::uint64_t x = 88172645463325252ull;
    for (int i = 0; doc.size() < 300'000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (i) doc += ',';
        doc += R"({"key":")";
        doc += std::to_string(x);
        doc += "\"}";
    }
    return doc + "]}}";
}

TEST_F(HistoryStoreTest, ANearCopyOfAnEarlierArtifactIsStoredAsADeltaAndReadsBackExactly) {
    HistoryStore store(db_path_);
    const std::int64_t first = store.begin_run(new_run("backup", 1));
    const std::int64_t second = store.begin_run(new_run("backup", 2));
    const std::string monday = large_export("2026-11-23T10:00:00Z"), tuesday = large_export("2026-11-24T10:00:00Z");
    store.save_artifact(first, "templates.json", monday, "application/json");
    store.save_artifact(second, "templates.json", tuesday, "application/json");

    RawDb raw(db_path_);
    EXPECT_EQ(raw.integer("SELECT count(*) FROM blobs WHERE compression = 'zstd-delta'"), 1);
    const std::int64_t full = raw.integer("SELECT length(data) FROM blobs WHERE compression = 'zstd'");
    const std::int64_t delta = raw.integer("SELECT length(data) FROM blobs WHERE compression = 'zstd-delta'");
    EXPECT_LT(delta * 20, full) << "delta " << delta << " bytes, full copy " << full;
    EXPECT_EQ(store.artifact_content(first, "templates.json"), monday);
    EXPECT_EQ(store.artifact_content(second, "templates.json"), tuesday);
}

/// Two backup runs of an unchanged server a day apart: the second's templates.json is stored as a
/// delta against the first's.
struct TwoBackups {
    std::int64_t first;
    std::int64_t second;
    std::string tuesday;  ///< the second's content
};

TwoBackups two_backups(HistoryStore& store) {
    TwoBackups backups{store.begin_run(new_run("backup", 1)), store.begin_run(new_run("backup", 2)),
                       large_export("2026-11-24T10:00:00Z")};
    store.save_artifact(backups.first, "templates.json", large_export("2026-11-23T10:00:00Z"), "application/json");
    store.save_artifact(backups.second, "templates.json", backups.tuesday, "application/json");
    return backups;
}

TEST_F(HistoryStoreTest, ABaseOthersDependOnOutlivesItsOwnArtifact) {
    HistoryStore store(db_path_);
    const auto [first, second, tuesday] = two_backups(store);
    // The first run's artifact replaced: its old content is the base of the second's.
    store.save_artifact(first, "templates.json", "{}", "application/json");
    EXPECT_EQ(store.artifact_content(second, "templates.json"), tuesday);
    // Replaced again, the delta's content goes, and with it the base nothing needs any more.
    store.save_artifact(second, "templates.json", "{}", "application/json");
    EXPECT_EQ(RawDb(db_path_).integer("SELECT count(*) FROM blobs"), 1);
}

TEST_F(HistoryStoreTest, CorruptedBlobIsDetected) {
    HistoryStore store(db_path_);
    const std::int64_t id = store.begin_run(new_run("dump", 1));
    std::string doc;
    for (int i = 0; i < 200; ++i) doc += "{\"i\":" + std::to_string(i) + "}";
    store.save_artifact(id, "result", doc, "application/json");

    // Flip the last 8 bytes: past the frame header, so the damage is in the content.
    RawDb(db_path_).exec(
        "UPDATE blobs SET data = CAST(substr(data, 1, length(data) - 8) || x'DEADBEEFDEADBEEF' AS BLOB)");
    EXPECT_THROW(store.artifact_content(id, "result"), HistoryError);

    // Damage to the frame header is caught too.
    RawDb(db_path_).exec("UPDATE blobs SET data = x'00' || substr(data, 2)");
    EXPECT_THROW(store.artifact_content(id, "result"), HistoryError);
}

/// The message of the HistoryError `action` throws; empty when it throws none.
template <class Action>
std::string history_error(Action action) {
    try {
        action();
    } catch (const HistoryError& e) {
        return e.what();
    }
    return "";
}

TEST_F(HistoryStoreTest, ADeltaChainThatLoopsIsAnErrorNotAStackOverflow) {
    HistoryStore store(db_path_);
    const auto backups = two_backups(store);
    const std::string& tuesday = backups.tuesday;
    // The full copy becomes a delta against the delta that was made against it.
    RawDb(db_path_).exec("UPDATE blobs SET compression = 'zstd-delta', base = '" + sha256_hex(tuesday) +
                         "' WHERE compression = 'zstd'");
    EXPECT_EQ(history_error([&] { store.artifact_content(backups.second, "templates.json"); }),
              "history database: artifact 'templates.json' of run 2 is corrupt (its delta chain loops back to blob " +
                  sha256_hex(tuesday) + ")");
}

TEST_F(HistoryStoreTest, ADeltaChainLongerThanTheCapIsAnErrorBeforeAnythingIsDecompressed) {
    HistoryStore store(db_path_);
    const std::int64_t id = store.begin_run(new_run("backup", 1));
    store.save_artifact(id, "templates.json", "{}", "application/json");
    // Five deltas, each against the next, down to a full copy: more than any writer makes.
    RawDb raw(db_path_);
    for (int link = 0; link < 5; ++link) {
        raw.exec("INSERT INTO blobs (sha256, size, compression, data, base) VALUES ('chain" + std::to_string(link) +
                 "', 2, 'zstd-delta', x'00', 'chain" + std::to_string(link + 1) + "')");
    }
    raw.exec("INSERT INTO blobs (sha256, size, compression, data) VALUES ('chain5', 2, 'zstd', x'00')");
    raw.exec("UPDATE artifacts SET sha256 = 'chain0'");
    EXPECT_EQ(history_error([&] { store.artifact_content(id, "templates.json"); }),
              "history database: artifact 'templates.json' of run 1 is corrupt (a delta chain longer than 4)");
}

TEST_F(HistoryStoreTest, GarbageOverTheFileIsACorruptDatabaseNamingTheFileAndHowToRecover) {
    { HistoryStore store(db_path_); }
    std::ofstream(db_path_, std::ios::binary | std::ios::trunc) << std::string(8192, '\xA5');
    EXPECT_EQ(history_error([&] { HistoryStore store(db_path_); }),
              "history database " + db_path_.string() +
                  " is corrupt (file is not a database); move it and its -wal and -shm files aside and concierge "
                  "starts a new one");
}

TEST_F(HistoryStoreTest, AnExistingDatabaseOthersCanReachIsMadePrivateWithOneWarning) {
    { HistoryStore store(db_path_); }
    const fs::path wal = db_path_.string() + "-wal";
    ASSERT_EQ(chmod(db_path_.parent_path().c_str(), 0750), 0);
    ASSERT_EQ(chmod(db_path_.c_str(), 0640), 0);
    ASSERT_EQ(chmod(wal.c_str(), 0604), 0);
    std::vector<std::string> warnings;
    { HistoryStore store(db_path_, [&](const std::string& warning) { warnings.push_back(warning); }); }
    EXPECT_EQ(warnings, std::vector<std::string>{"history was open to other users; made private: " +
                                                 db_path_.parent_path().string() + " (0750 -> 0700), " +
                                                 db_path_.string() + " (0640 -> 0600), " + wal.string() +
                                                 " (0604 -> 0600)"});
    struct stat info {};
    for (const auto& [path, mode] : {std::pair{db_path_.parent_path(), 0700u}, std::pair{db_path_, 0600u}, std::pair{wal, 0600u}}) {
        ASSERT_EQ(stat(path.c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 07777, mode) << path;
    }
    warnings.clear();
    { HistoryStore store(db_path_, [&](const std::string& warning) { warnings.push_back(warning); }); }
    EXPECT_TRUE(warnings.empty());
}

TEST_F(HistoryStoreTest, ASharedDirectoryIsLeftAsItIsWhileTheDatabaseIsMadePrivate) {
    { HistoryStore store(db_path_); }
    std::ofstream(db_path_.parent_path() / "notes.txt") << "not concierge's";
    ASSERT_EQ(chmod(db_path_.parent_path().c_str(), 0755), 0);
    ASSERT_EQ(chmod(db_path_.c_str(), 0644), 0);
    std::vector<std::string> warnings;
    { HistoryStore store(db_path_, [&](const std::string& warning) { warnings.push_back(warning); }); }
    EXPECT_EQ(warnings, std::vector<std::string>{"history was open to other users; made private: " + db_path_.string() +
                                                 " (0644 -> 0600)"});
    struct stat info {};
    ASSERT_EQ(stat(db_path_.parent_path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0755u);
}

TEST_F(HistoryStoreTest, ALinkPlantedBesideTheDatabaseIsNotFollowedWhenMakingItPrivate) {
    { HistoryStore store(db_path_); }
    ASSERT_EQ(chmod(db_path_.c_str(), 0644), 0);
    const fs::path victim = db_path_.parent_path().parent_path() / "victim.txt";
    std::ofstream(victim) << "someone's";
    ASSERT_EQ(chmod(victim.c_str(), 0644), 0);
    const fs::path shm = db_path_.string() + "-shm";
    fs::remove(shm);  // what the closed store left, replaced by the planted link
    fs::create_symlink(victim, shm);
    std::vector<std::string> warnings;
    // SQLite then refuses the linked -shm itself; what matters here is the chmod before it.
    EXPECT_EQ(history_error([&] { HistoryStore store(db_path_, [&](const std::string& w) { warnings.push_back(w); }); }),
              "history database: switching to WAL: unable to open database file");
    EXPECT_EQ(warnings, std::vector<std::string>{"history was open to other users; made private: " + db_path_.string() +
                                                 " (0644 -> 0600)"});
    struct stat info {};
    ASSERT_EQ(stat(victim.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0644u) << "the link's target was chmod-ed";
}

TEST_F(HistoryStoreTest, ADatabaseFileOfAnotherUserIsRefusedAndLeftAsItIs) {
    if (geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
    { HistoryStore store(db_path_); }
    ASSERT_EQ(chown(db_path_.c_str(), 65534, 65534), 0);
    ASSERT_EQ(chmod(db_path_.c_str(), 0644), 0);
    EXPECT_EQ(history_error([&] { HistoryStore store(db_path_); }),
              "history database file " + db_path_.string() +
                  " belongs to uid 65534, not to you (uid 0); refusing to record into it: point --history or "
                  "CONCIERGE_HOME at a file of your own");
    struct stat info {};
    ASSERT_EQ(stat(db_path_.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0644u);
}

TEST_F(HistoryStoreTest, ContentThatDecompressesButDiffersFailsTheSha256Check) {
    HistoryStore store(db_path_);
    const std::int64_t id = store.begin_run(new_run("dump", 1));
    store.save_artifact(id, "result", "original", "application/json");
    const std::int64_t other = store.begin_run(new_run("dump", 2));
    store.save_artifact(other, "result", "tampered", "application/json");

    // A valid frame of the same size, but of other bytes.
    RawDb raw(db_path_);
    raw.exec("UPDATE blobs SET data = (SELECT data FROM blobs WHERE sha256 = '" + sha256_hex("tampered") +
             "') WHERE sha256 = '" + sha256_hex("original") + "'");
    try {
        store.artifact_content(id, "result");
        FAIL() << "tampered content was returned";
    } catch (const HistoryError& error) {
        EXPECT_NE(std::string(error.what()).find("sha256"), std::string::npos) << error.what();
    }
}

TEST_F(HistoryStoreTest, MissingArtifactIsAnError) {
    HistoryStore store(db_path_);
    const std::int64_t id = store.begin_run(new_run("dump", 1));
    EXPECT_THROW(store.artifact_content(id, "nothing"), HistoryError);
    EXPECT_THROW(store.artifact_content(id + 1, "nothing"), HistoryError);
}

TEST_F(HistoryStoreTest, ListingQueriesAreServedByIndexesWithoutSorting) {
    { HistoryStore store(db_path_); }
    RawDb raw(db_path_);
    // A temporary B-tree means SQLite sorts every row: what makes a listing slow on a large history
    // (bench/ measures the time itself).
    for (const char* where : {"", "WHERE plugin = 'p' ", "WHERE status = 'succeeded' "}) {
        const std::string plan = raw.plan(std::string("SELECT id FROM runs ") + where + "ORDER BY started_at DESC, id DESC LIMIT 50");
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << where << plan;
        EXPECT_NE(plan.find("INDEX"), std::string::npos) << where << plan;
    }
}

TEST_F(HistoryStoreTest, EightProcessesRecordingAtOnceAllSucceedAndShareBlobs) {
    constexpr int processes = 8;
    constexpr int runs_each = 25;
    int gate[2];
    ASSERT_EQ(pipe(gate), 0);
    std::vector<pid_t> children;
    for (int p = 0; p < processes; ++p) {
        const pid_t child = fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            close(gate[1]);
            char byte;
            (void)!read(gate[0], &byte, 1);  // all start together, once the parent closes the pipe
            try {
                HistoryStore store(db_path_);
                for (int r = 0; r < runs_each; ++r) {
                    NewRun run = new_run("worker", 1000 + r);
                    run.arguments = {std::to_string(p), std::to_string(r)};
                    const std::int64_t id = store.begin_run(run);
                    store.save_artifact(id, "shared", R"({"common":true})", "application/json");
                    const std::string unique =
                        "{\"process\":" + std::to_string(p) + ",\"run\":" + std::to_string(r) + "}";
                    store.save_artifact(id, "unique", unique, "application/json");
                    store.finish_run(id, succeeded(2000 + r));
                    if (store.artifact_content(id, "unique") != unique) _exit(2);
                }
            } catch (const std::exception& error) {
                std::fprintf(stderr, "child %d: %s\n", p, error.what());
                _exit(1);
            }
            _exit(0);
        }
        children.push_back(child);
    }
    close(gate[0]);
    close(gate[1]);
    for (const pid_t child : children) EXPECT_TRUE(exited_cleanly(child)) << "child " << child;

    HistoryStore store(db_path_);
    RawDb raw(db_path_);
    EXPECT_EQ(raw.integer("SELECT count(*) FROM runs"), processes * runs_each);
    EXPECT_EQ(raw.integer("SELECT count(*) FROM runs WHERE status = 'succeeded'"), processes * runs_each);
    EXPECT_EQ(raw.integer("SELECT count(*) FROM artifacts"), 2 * processes * runs_each);
    EXPECT_EQ(raw.integer("SELECT count(*) FROM blobs"), 1 + processes * runs_each);
    EXPECT_EQ(store.runs({.limit = 0}).size(), static_cast<std::size_t>(processes * runs_each));
}

TEST_F(HistoryStoreTest, TwoProcessesCreatingTheSameNewDatabaseBothSucceed) {
    for (int attempt = 0; attempt < 10; ++attempt) {
        const fs::path path = dir_ / ("fresh" + std::to_string(attempt)) / "history.db";
        int gate[2];
        ASSERT_EQ(pipe(gate), 0);
        std::vector<pid_t> children;
        for (int p = 0; p < 2; ++p) {
            const pid_t child = fork();
            ASSERT_GE(child, 0);
            if (child == 0) {
                close(gate[1]);
                char byte;
                (void)!read(gate[0], &byte, 1);
                try {
                    HistoryStore store(path);
                    store.begin_run(new_run("racer", p));
                    _exit(store.schema_version() == HistoryStore::current_schema_version() ? 0 : 2);
                } catch (const std::exception& error) {
                    std::fprintf(stderr, "child %d: %s\n", p, error.what());
                    _exit(1);
                }
            }
            children.push_back(child);
        }
        close(gate[0]);
        close(gate[1]);
        for (const pid_t child : children) EXPECT_TRUE(exited_cleanly(child)) << "attempt " << attempt;
        HistoryStore store(path);
        EXPECT_EQ(store.schema_version(), HistoryStore::current_schema_version());
        EXPECT_EQ(store.runs({}).size(), 2u);
    }
}

}  // namespace
}  // namespace concierge::history
