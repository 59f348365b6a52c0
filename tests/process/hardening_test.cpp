// Production hardening, as a user meets it: what concierge refuses or keeps private so that
// production's keys do not leak through its files, its history or its messages.
#include "process_runner.hpp"

#include "history/history_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;

std::string everything_in(const fs::path& dir) {
    std::string all;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file()) {
            std::ifstream in(entry.path(), std::ios::binary);
            all.append(std::istreambuf_iterator<char>(in), {});
        }
    return all;
}

TEST(CredentialsInUrl, AZabbixUrlWithAPasswordIsExit2AndThePasswordIsNowhere) {
    Sandbox sandbox;
    sandbox.env.erase("CONCIERGE_PLUGIN_PATH");  // the product's plugins
    const std::string canary = "Url-Canary-5e7";
    sandbox.env["ZBX_API_HOST"] = "http://Admin:" + canary + "@127.0.0.1:1/";
    sandbox.env["ZBX_USER"] = "Admin";
    sandbox.env["ZBX_PASS"] = "zabbix";
    const auto result = run_concierge({"zabbix-backup", "--config-dir", (sandbox.dir() / "backup").string()}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("ZBX_USER and ZBX_PASS"), std::string::npos) << result.err;
    EXPECT_EQ((result.out + result.err).find(canary), std::string::npos) << result.err;
    const auto runs = history::HistoryStore(sandbox.history_db()).runs({});
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.front().exit_code, 2);
    EXPECT_EQ(everything_in(sandbox.history_db().parent_path()).find(canary), std::string::npos) << "the password is in history";
}

TEST(SchedulerArguments, AnAlertsArgumentThatLooksLikeAnOptionStaysAnArgument) {
    Sandbox sandbox;
    sandbox.env.erase("CONCIERGE_PLUGIN_PATH");
    sandbox.env["COMPOSE_PROJECT_NAME"] = "shop";
    sandbox.env["DOCKER_HOST"] = "unix://" + (sandbox.dir() / "no-engine.sock").string();
    // {ITEM.VALUE} of a hostile item: were it an option, the run would print help and exit 0.
    const auto result = run_scheduler({"scale_up", "--help", "1", "1"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 7) << result.out << result.err;  // the engine is tried for the component "--help"
    EXPECT_EQ(result.out.find("Usage"), std::string::npos) << result.out;
    const auto runs = history::HistoryStore(sandbox.history_db()).runs({});
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.front().plugin, "compose-scale");
}

class CertsChannel : public ::testing::Test {
protected:
    /// compose-ps asking for TLS material from Zabbix; nothing listens on port 1.
    ProcessResult compose_ps(const std::string& zabbix_url, std::vector<std::string> extra = {}) {
        sandbox_.env.erase("CONCIERGE_PLUGIN_PATH");
        sandbox_.env["ZBX_API_HOST"] = zabbix_url;
        sandbox_.env["ZBX_USER"] = "Admin";
        sandbox_.env["ZBX_PASS"] = "zabbix";
        sandbox_.env["DOCKER_HOST"] = "tcp://127.0.0.1:1";
        std::vector<std::string> args{"compose-ps", "web", "--project", "shop", "--certs-from-zabbix"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_concierge(args, sandbox_.env);
    }
    Sandbox sandbox_;
};

TEST_F(CertsChannel, KeysAreNotFetchedOverPlainHttpToAnotherHost) {
    // An IPv4-mapped address: another host as far as the check knows, this one as far as a socket does.
    const auto result = compose_ps("http://[::ffff:127.0.0.1]:1/");
    EXPECT_EQ(result.exit_code, 8) << result.err;  // refused before connecting: unreachable would be 7
    EXPECT_NE(result.err.find("refuses to fetch TLS keys over plain http"), std::string::npos) << result.err;
}

TEST_F(CertsChannel, KeysAreNotFetchedWithoutVerifyingTheServerUnlessLoudlyAllowed) {
    sandbox_.env["ZBX_TLS_VERIFY"] = "false";
    auto result = compose_ps("https://127.0.0.1:1/");
    EXPECT_EQ(result.exit_code, 8) << result.err;
    EXPECT_NE(result.err.find("without verifying its certificate"), std::string::npos) << result.err;
    result = compose_ps("https://127.0.0.1:1/", {"--allow-insecure-cert-fetch"});
    EXPECT_EQ(result.exit_code, 7) << result.err;  // allowed: it tries, and nothing listens
}

TEST(ConfigSecrets, AConfigFileHoldingASecretThatOthersCanReadIsNamedInAWarning) {
    Sandbox sandbox;
    const auto config = sandbox.dir() / "config";
    std::ofstream(config) << "[zabbix]\nuser = Admin\npassword = hunter2-config\n";
    fs::permissions(config, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    sandbox.env["CONCIERGE_CONFIG"] = config.string();
    auto result = run_concierge({"history"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find(config.string() + " holds secrets (zabbix.password) and others can read it; chmod 600"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("hunter2-config"), std::string::npos);
    fs::permissions(config, fs::perms::owner_read | fs::perms::owner_write);
    result = run_concierge({"history"}, sandbox.env);
    EXPECT_EQ(result.err.find("warning"), std::string::npos) << result.err;
}

TEST(CoreDumps, ARunHoldingASecretCannotDumpCore) {
    Sandbox sandbox;
    sandbox.env["FIXTURE_PASSWORD"] = "dump-canary-6b1";  // a secret option's value
    const auto result = run_concierge({"fixture-good", "a", "--output", "json"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find(R"({"key":"dumpable","value":0})"), std::string::npos) << result.out;
}

TEST(ProcessRunner, AHungRunIsKilledAtItsTimeoutAndFailsItsTestNotTheSuite) {
    Sandbox sandbox;
    Process process({"fixture-waits", "--ignore-cancel"}, sandbox.env);  // would wait 60 s
    const auto result = process.finish(std::chrono::seconds(1));
    EXPECT_EQ(result.exit_code, 137);
    EXPECT_NE(result.err.find("[process_runner: killed after 1 s]"), std::string::npos) << result.err;
}

// ---- the plugin search path ---------------------------------------------------------------------

TEST(PluginSearch, ARelativePathEntryIsIgnoredWithAWarning) {
    Sandbox sandbox;
    const auto dir = sandbox.dir() / "plugins";
    fs::create_directory(dir);
    fs::copy_file(fs::path(FIXTURE_PLUGIN_DIR) / "concierge-fixture-good.so", dir / "concierge-fixture-good.so");
    // The same directory, named relative to the working directory concierge inherits.
    const auto relative = fs::relative(dir, fs::current_path());
    sandbox.env["CONCIERGE_PLUGIN_PATH"] = relative.string();
    const auto result = run_concierge({"fixture-good", "a"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 3) << result.err;  // not found: the relative entry is not searched
    EXPECT_NE(result.err.find("CONCIERGE_PLUGIN_PATH entry '" + relative.string() + "' is relative and ignored"), std::string::npos)
        << result.err;
    sandbox.env["CONCIERGE_PLUGIN_PATH"] = dir.string();
    EXPECT_EQ(run_concierge({"fixture-good", "a"}, sandbox.env).exit_code, 0);  // the same, absolute
}

TEST(PluginSearch, APluginNameThatIsAPathIsNotFoundAndLoadsNothing) {
    Sandbox sandbox;
    const auto dir = sandbox.dir() / "plugins";
    // "concierge ../evil" would open plugins/concierge-../evil.so were the name used as given.
    fs::create_directories(dir / "concierge-..");
    fs::copy_file(fs::path(FIXTURE_PLUGIN_DIR) / "concierge-fixture-good.so", dir / "concierge-.." / "evil.so");
    sandbox.env["CONCIERGE_PLUGIN_PATH"] = dir.string();
    const auto result = run_concierge({"../evil"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 3) << result.err;  // loaded and refused for its name would be 4
}

// ---- history export: private files, nothing planted followed ------------------------------------

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

class PrivateExport : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(run_concierge({"fixture-good", "a", "--artifact", "doc.json"}, sandbox_.env).exit_code, 0);  // run 1
        victim_ = sandbox_.dir() / "victim";
        std::ofstream(victim_) << "untouched";
    }
    ProcessResult export_to(const fs::path& dir, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"history", "export", "1", "--dir", dir.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_concierge(args, sandbox_.env);
    }
    static fs::perms mode_of(const fs::path& path) { return fs::symlink_status(path).permissions() & fs::perms::all; }

    Sandbox sandbox_;
    fs::path victim_;
};

TEST_F(PrivateExport, TheDirectoryIsCreated0700AndItsFiles0600WhateverTheUmask) {
    const auto dir = sandbox_.dir() / "exported";
    const auto result = export_to(dir);  // the test runner's umask is the usual 022
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(mode_of(dir), fs::perms::owner_all);
    EXPECT_EQ(mode_of(dir / "doc.json"), fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(PrivateExport, AnExistingFileIsNotOverwrittenUnlessForced) {
    const auto dir = sandbox_.dir() / "exported";
    ASSERT_EQ(export_to(dir).exit_code, 0);
    std::ofstream(dir / "doc.json") << "mine";
    auto result = export_to(dir);
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_NE(result.err.find("doc.json exists; it is not overwritten unless you give --force"), std::string::npos) << result.err;
    EXPECT_EQ(read(dir / "doc.json"), "mine");
    result = export_to(dir, {"--force"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(read(dir / "doc.json"), "mine");
}

TEST_F(PrivateExport, ALinkPlantedAtTheFinalOrThePartialNameIsNeverFollowed) {
    const auto dir = sandbox_.dir() / "exported";
    fs::create_directory(dir);
    fs::permissions(dir, fs::perms::owner_all);
    for (const char* planted : {"doc.json", ".doc.json.partial"}) {
        fs::create_symlink(victim_, dir / planted);
        const auto result = export_to(dir);
        EXPECT_EQ(result.exit_code, 5) << planted << ": " << result.err;
        EXPECT_EQ(read(victim_), "untouched") << planted;
        // Forced, the link itself is replaced: what it points at is still untouched.
        EXPECT_EQ(export_to(dir, {"--force"}).exit_code, 0) << planted;
        EXPECT_EQ(read(victim_), "untouched") << planted;
        EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir / "doc.json"))) << planted;
        fs::remove(dir / "doc.json");
        fs::remove(dir / planted);
    }
}

TEST_F(PrivateExport, ADirectoryOthersCanWriteOrALinkedDirectoryIsRefusedUnlessForced) {
    const auto open_dir = sandbox_.dir() / "open";
    fs::create_directory(open_dir);
    fs::permissions(open_dir, fs::perms::all);
    auto result = export_to(open_dir);
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_NE(result.err.find("is writable by others"), std::string::npos) << result.err;
    EXPECT_TRUE(fs::is_empty(open_dir));
    EXPECT_EQ(export_to(open_dir, {"--force"}).exit_code, 0);

    const auto linked = sandbox_.dir() / "linked";
    fs::create_directory(sandbox_.dir() / "elsewhere");
    fs::create_directory_symlink(sandbox_.dir() / "elsewhere", linked);
    result = export_to(linked);
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_NE(result.err.find("is not a directory of its own"), std::string::npos) << result.err;
    EXPECT_TRUE(fs::is_empty(sandbox_.dir() / "elsewhere"));
}

TEST(ScaleRunExport, AnArtifactNamedWithSlashesIsExportedUnderItsEncodedName) {
    Sandbox sandbox;
    ASSERT_EQ(run_concierge({"fixture-good", "a", "--artifact", "compose/shop/web"}, sandbox.env).exit_code, 0);
    const auto dir = sandbox.dir() / "exported";
    const auto result = run_concierge({"history", "export", "1", "--dir", dir.string()}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(fs::is_regular_file(dir / "compose%2Fshop%2Fweb"));
    const auto entries = std::distance(fs::directory_iterator(dir), fs::directory_iterator());
    EXPECT_EQ(entries, 1) << "nothing but the one file";
}

}  // namespace
}  // namespace concierge::test
