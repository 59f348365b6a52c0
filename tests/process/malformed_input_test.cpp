// Files the user gives, malformed, as a new user meets them: every one ends with exit 5 and one
// line naming the file and where in it, and the run is recorded in history. zabbix-import reads
// and checks the whole backup before it connects, so these runs point at a port nothing answers.
#include "process_runner.hpp"

#include "history/history_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;
using Files = std::map<std::string, std::string>;

/// The earlier tool's seven files, the smallest backup zabbix-import reads.
Files seed_files() {
    return {{"templates.json", R"({"zabbix_export":{"version":"6.0","templates":[]}})"},
            {"hostgroups.json", R"({"zabbix_export":{"version":"6.0","groups":[]}})"},
            {"hosts.json", R"({"zabbix_export":{"version":"6.0","hosts":[]}})"},
            {"mediatypes.json", "null"},
            {"reg_actions.json", "null"},
            {"trigger_actions.json", "[]"},
            {"actions_data_orig.json", R"({"templates":[],"hostgroups":[]})"}};
}

fs::path write_backup(const Sandbox& sandbox, const Files& files) {
    const fs::path backup = sandbox.dir() / "backup";
    fs::create_directories(backup);
    for (const auto& [name, content] : files) std::ofstream(backup / name, std::ios::binary) << content;
    return backup;
}

/// zabbix-import of the product's plugins from `backup`, to a Zabbix that cannot be reached.
ProcessResult import_from(Sandbox& sandbox, const fs::path& backup) {
    sandbox.env.erase("CONCIERGE_PLUGIN_PATH");
    sandbox.env["ZBX_API_HOST"] = "http://127.0.0.1:1";
    sandbox.env["ZBX_USER"] = "Admin";
    sandbox.env["ZBX_PASS"] = "zabbix-pw";
    return run_concierge({"zabbix-import", "--config-dir", backup.string()}, sandbox.env);
}

history::Run only_run(const Sandbox& sandbox) {
    const auto runs = history::HistoryStore(sandbox.history_db()).runs({});
    EXPECT_EQ(runs.size(), 1u);
    return runs.empty() ? history::Run{} : runs.front();
}

/// Exit 5, exactly "concierge: zabbix-import: <what> (run N)" on stderr, and a failed run recording it.
void expect_refused(const Sandbox& sandbox, const ProcessResult& result, const std::string& what) {
    EXPECT_EQ(result.exit_code, 5) << result.err;
    const auto run = only_run(sandbox);
    EXPECT_EQ(result.err, "concierge: zabbix-import: " + what + " (run " + std::to_string(run.id) + ")\n");
    EXPECT_EQ(run.status, history::RunStatus::Failed);
    EXPECT_EQ(run.exit_code, 5);
    EXPECT_EQ(run.error, what);
}

const std::string damaged = "; the file is truncated or damaged: take the backup again or restore it from history "
                            "(concierge zabbix-import --from-run ID)";

/// Imports the seed backup with `name` holding `content`: refused as expect_refused says, `what`
/// naming the backup directory as DIR.
void expect_import_refused(const std::string& name, const std::string& content, std::string what) {
    Sandbox sandbox;
    auto files = seed_files();
    files[name] = content;
    const auto backup = write_backup(sandbox, files);
    what.replace(what.find("DIR"), 3, backup.string());
    expect_refused(sandbox, import_from(sandbox, backup), what);
}

TEST(MalformedBackup, ATruncatedFileEndsWithExit5NamingItsLineAndColumn) {
    expect_import_refused("hosts.json", "{\n  \"zabbix_export\": {\n    \"version\": \"6.0\",\n    \"hosts\": [\n",
                          "hosts.json in directory DIR at line 5, column 1 (byte 60): not valid JSON: unexpected end of text" +
                              damaged);
}

TEST(MalformedBackup, TwoMillionOpeningBracketsEndWithExit5NotAStackOverflow) {
    expect_import_refused("users.json", std::string(2'000'000, '['),
                          "users.json in directory DIR at line 1, column 129 (byte 128): not valid JSON: nested deeper "
                          "than 128 levels" + damaged);
}

TEST(MalformedBackup, BytesThatAreNotUtf8EndWithExit5NamingWhere) {
    expect_import_refused("trigger_actions.json", "[\n{\"name\":\"caf\xE9\"}]",  // Latin-1, not UTF-8
                          "trigger_actions.json in directory DIR at line 2, column 13 (byte 14): not valid JSON: not UTF-8" +
                              damaged);
}

TEST(MalformedBackup, AnArrayWhereTheIdMapIsAnObjectEndsWithExit5) {
    expect_import_refused("actions_data_orig.json", "[]",
                          "id_map_backup.json in directory DIR at line 1, column 1 (byte 0): should hold an object of "
                          "name/id lists, not an array");
}

TEST(MalformedBackup, AManifestNamingAPathOutsideTheFolderEndsWithExit5AndReadsNothingThere) {
    expect_import_refused("manifest.json", R"({"format":2,"files":{"../secret.json":{"sha256":"x"}}})",
                          "manifest.json in directory DIR at line 1, column 23 (byte 22): names \"../secret.json\", which "
                          "is not a backup file; a manifest lists only the backup's own files by name: the backup was "
                          "changed after it was taken");
}

TEST(MalformedBackup, AManifestValueOfTheWrongTypeEndsWithExit5NotALibraryError) {
    expect_import_refused("manifest.json", R"({"format":2,"files":{"hosts.json":{"sha256":{"hex":"x"}}}})",
                          "manifest.json in directory DIR at line 1, column 45 (byte 44): the sha256 of hosts.json should "
                          "be a string, not an object");
}

TEST(MalformedBackup, AManifestListingAMissingFileEndsWithExit5) {
    expect_import_refused("manifest.json", R"({"format":2,"files":{"users.json":{"sha256":"x"}}})",
                          "directory DIR lacks users.json, which its manifest.json lists; the backup is incomplete");
}

TEST(MalformedBackup, ASymlinkPointingOutsideTheFolderIsRefusedUnread) {
    Sandbox sandbox;
    const auto backup = write_backup(sandbox, seed_files());
    std::ofstream(sandbox.dir() / "outside.json") << "[]";
    fs::create_symlink(sandbox.dir() / "outside.json", backup / "users.json");
    expect_refused(sandbox, import_from(sandbox, backup),
                   "users.json in directory " + backup.string() +
                       " is a symbolic link; a backup's files are read only as the files themselves");
}

TEST(MalformedBackup, AFileOverTheSizeCapIsRefusedUnread) {
    Sandbox sandbox;
    const auto backup = write_backup(sandbox, seed_files());
    // Sparse: 4 GiB that take no disk; the default cap is 1 GiB.
    fs::resize_file(backup / "hosts.json", std::uintmax_t{4} << 30);
    expect_refused(sandbox, import_from(sandbox, backup),
                   "hosts.json in directory " + backup.string() + " is 4294967296 bytes, more than the 1024 MiB a backup "
                   "file may be (--max-file-size); is it a backup file?");
}

TEST(MalformedBackup, TheEarlierToolsRealBackupPassesEveryCheck) {
    Sandbox sandbox;
    const auto unpacked = Process({"-xJf", ZBX_EARLIER_TOOL_FIXTURE, "-C", sandbox.dir().string()}, {}, "/usr/bin/tar").finish();
    ASSERT_EQ(unpacked.exit_code, 0) << unpacked.err;
    const auto result = import_from(sandbox, sandbox.dir() / "orig-backup");
    // Read and checked whole, it got as far as connecting to the destination.
    EXPECT_EQ(result.exit_code, 7) << result.err;
    EXPECT_NE(result.err.find("cannot reach Zabbix at http://127.0.0.1:1"), std::string::npos) << result.err;
}

/// A run of the fixture plugin with `config` as the config file.
ProcessResult run_with_config(Sandbox& sandbox, const fs::path& config) {
    sandbox.env["CONCIERGE_CONFIG"] = config.string();
    return run_concierge({"fixture-good", "web"}, sandbox.env);
}

/// Exit 5, exactly "concierge: config: <what>" on stderr, and the failed attempt in history.
void expect_config_refused(const Sandbox& sandbox, const ProcessResult& result, const std::string& what) {
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_EQ(result.err, "concierge: config: " + what + "\n");
    const auto run = only_run(sandbox);
    EXPECT_EQ(run.plugin, "fixture-good");
    EXPECT_EQ(run.status, history::RunStatus::Failed);
    EXPECT_EQ(run.exit_code, 5);
    EXPECT_EQ(run.error, "config: " + what);
}

TEST(MalformedConfig, ALineWithoutEqualsEndsWithExit5NamingFileAndLine) {
    Sandbox sandbox;
    const auto config = sandbox.dir() / "concierge.conf";
    std::ofstream(config) << "# mine\n[zabbix]\nuser = Admin\napi-host https://zbx.example\n";
    expect_config_refused(sandbox, run_with_config(sandbox, config), config.string() + ":4: expected 'key = value'");
}

TEST(MalformedConfig, ABinaryFileEndsWithExit5NamingFileLineAndColumn) {
    Sandbox sandbox;
    const auto config = sandbox.dir() / "history.db";
    std::ofstream(config, std::ios::binary) << std::string("SQLite format 3\0\x10\x00\x01\x01", 20);
    expect_config_refused(sandbox, run_with_config(sandbox, config),
                          config.string() + ":1: column 16: a control character; is this a text file? (a config file "
                                            "holds 'key = value' lines)");
}

TEST(MalformedConfig, ADirectoryEndsWithExit5) {
    Sandbox sandbox;
    expect_config_refused(sandbox, run_with_config(sandbox, sandbox.dir()),
                          sandbox.dir().string() + ": the config file is a directory; name a file with --config or CONCIERGE_CONFIG");
}

TEST(MalformedConfig, AHugeFileEndsWithExit5Unread) {
    Sandbox sandbox;
    const auto config = sandbox.dir() / "concierge.conf";
    std::ofstream(config) << "output = json\n";
    fs::resize_file(config, std::uintmax_t{10} << 30);  // sparse
    expect_config_refused(sandbox, run_with_config(sandbox, config),
                          config.string() + ": the config file is 10737418240 bytes, more than the 1024 KiB a config file "
                                            "may be; is it the config file?");
}

}  // namespace
}  // namespace concierge::test
