// The history database as a user meets it when something is wrong with it: others can read it,
// someone else owns it, garbage was written over it, or it cannot be written at all.
#include "process_runner.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;

mode_t mode_of(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
}

class HistoryDatabase : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_EQ(run_concierge({"fixture-good", "first"}, sandbox.env).exit_code, 0); }

    fs::path db() const { return sandbox.history_db(); }
    fs::path home() const { return db().parent_path(); }

    Sandbox sandbox;
};

TEST_F(HistoryDatabase, ADatabaseAndDirectoryOthersCanReachAreMadePrivateWithOneWarningLine) {
    ASSERT_EQ(::chmod(home().c_str(), 0755), 0);
    ASSERT_EQ(::chmod(db().c_str(), 0644), 0);
    auto result = run_concierge({"history"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "concierge: warning: history was open to other users; made private: " + home().string() +
                              " (0755 -> 0700), " + db().string() + " (0644 -> 0600)\n");
    EXPECT_EQ(mode_of(home()), 0700u);
    EXPECT_EQ(mode_of(db()), 0600u);
    result = run_concierge({"history"}, sandbox.env);
    EXPECT_EQ(result.err, "");
}

TEST_F(HistoryDatabase, ADatabaseFileOwnedBySomeoneElseIsRefusedWithExit12) {
    if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
    ASSERT_EQ(::chown(db().c_str(), 65534, 65534), 0);
    ASSERT_EQ(::chmod(db().c_str(), 0644), 0);
    const std::string refusal = "concierge: history: history database file " + db().string() +
                                " belongs to uid 65534, not to you (uid 0); refusing to record into it: point --history "
                                "or CONCIERGE_HOME at a file of your own\n";
    auto result = run_concierge({"history"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 12);
    EXPECT_EQ(result.err, refusal);
    result = run_concierge({"fixture-good", "second"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 12);
    EXPECT_EQ(result.err, refusal);
    EXPECT_EQ(result.out, "");  // the plugin never ran
    EXPECT_EQ(mode_of(db()), 0644u);  // and nothing of someone else's was changed
}

TEST_F(HistoryDatabase, GarbageOverTheFileIsExit12WithOneLineNamingItAndHowToRecover) {
    const auto size = fs::file_size(db());
    std::ofstream(db(), std::ios::binary | std::ios::trunc) << std::string(size, '\xA5');
    const std::string corrupt = "concierge: history: history database " + db().string() +
                                " is corrupt (file is not a database); move it and its -wal and -shm files aside and "
                                "concierge starts a new one\n";
    auto result = run_concierge({"fixture-good", "second"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 12);
    EXPECT_EQ(result.err, corrupt);
    EXPECT_EQ(result.out, "");  // not half done: the plugin never ran
    result = run_concierge({"history"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 12);
    EXPECT_EQ(result.err, corrupt);

    for (const char* suffix : {"", "-wal", "-shm"}) fs::rename(db().string() + suffix, db().string() + suffix + ".bad");
    result = run_concierge({"fixture-good", "third"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

class HistoryRequired : public HistoryDatabase {
protected:
    // A history that cannot be written: its directory's place is taken by a file.
    void SetUp() override {
        HistoryDatabase::SetUp();
        std::ofstream(sandbox.dir() / "not-a-directory") << "x";
        sandbox.env["CONCIERGE_HOME"] = (sandbox.dir() / "not-a-directory").string();
    }
    std::string unwritable() const {
        return "cannot create " + (sandbox.dir() / "not-a-directory" / "history.db").string() + ": Not a directory";
    }
    void configure(const std::string& text) {
        std::ofstream(sandbox.dir() / "config.ini") << text;
        sandbox.env["CONCIERGE_CONFIG"] = (sandbox.dir() / "config.ini").string();
    }
};

TEST_F(HistoryRequired, ByDefaultARunThatCannotBeRecordedDoesNotRun) {
    const auto result = run_concierge({"fixture-good", "scale-up"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 12);
    EXPECT_EQ(result.err, "concierge: history: " + unwritable() + "\n");
    EXPECT_EQ(result.out, "");
}

TEST_F(HistoryRequired, FalseInTheConfigLetsTheRunGoAheadWithALoudWarning) {
    configure("[history]\nrequired = false\n");
    const auto result = run_concierge({"fixture-good", "scale-up"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("scale-up"), std::string::npos) << result.out;
    EXPECT_EQ(result.err, "concierge: WARNING: this fixture-good run is NOT recorded in history (history.required is false): " +
                              unwritable() + "\nfixture-good: info: done with scale-up\n");
}

TEST_F(HistoryRequired, TheEnvironmentOverridesTheConfigAndTheFlagOverridesBoth) {
    configure("[history]\nrequired = false\n");
    sandbox.env["CONCIERGE_HISTORY_REQUIRED"] = "true";
    EXPECT_EQ(run_concierge({"fixture-good", "scale-up"}, sandbox.env).exit_code, 12);
    EXPECT_EQ(run_concierge({"--history-required", "false", "fixture-good", "scale-up"}, sandbox.env).exit_code, 0);
    sandbox.env["CONCIERGE_HOME"] = home().string();  // so that the usage error is recorded, and says only that
    const auto result = run_concierge({"fixture-good", "scale-up", "--history-required=maybe"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_EQ(result.err, "concierge: fixture-good: history.required must be true or false, not 'maybe' "
                          "(see 'concierge fixture-good --help')\n");
}

TEST_F(HistoryRequired, FalseAlsoCoversACorruptDatabase) {
    sandbox.env["CONCIERGE_HOME"] = home().string();
    std::ofstream(db(), std::ios::binary | std::ios::trunc) << std::string(8192, '\xA5');
    sandbox.env["CONCIERGE_HISTORY_REQUIRED"] = "false";
    const auto result = run_concierge({"fixture-good", "scale-up", "--fail-with", "10"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 10);
    EXPECT_NE(result.err.find("concierge: WARNING: this fixture-good run is NOT recorded in history"), std::string::npos)
        << result.err;
    // The failure's line has no run number: there is no run to look up.
    EXPECT_NE(result.err.find("concierge: fixture-good: failing as asked, password \n"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace concierge::test
