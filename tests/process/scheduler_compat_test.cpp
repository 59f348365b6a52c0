// `concierge_scheduler ACTION ...`: the earlier tool's name and argument shapes still work, usage
// errors say what shape is expected, and mapped runs are recorded under the plugin's name.
#include "process_runner.hpp"

#include "history/history_store.hpp"

#include <gtest/gtest.h>

namespace concierge::test {
namespace {

TEST(SchedulerCompat, NoActionPrintsUsageAndExitsWithUsageCode) {
    Sandbox sandbox;
    const auto result = run_scheduler({}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("Usage: concierge_scheduler ACTION"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("scale_up COMPONENT CURRENT INCREMENT"), std::string::npos) << result.err;
}

TEST(SchedulerCompat, HelpPrintsUsageAndSucceeds) {
    Sandbox sandbox;
    const auto result = run_scheduler({"--help"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("service_ps COMPONENT"), std::string::npos) << result.out;
}

TEST(SchedulerCompat, UnknownActionIsAOneLineUsageError) {
    Sandbox sandbox;
    const auto result = run_scheduler({"upload", "bucket"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_EQ(result.err, "concierge_scheduler: unknown action 'upload' (see 'concierge_scheduler --help')\n");
}

TEST(SchedulerCompat, BackupAppRunsZabbixBackupWithTheEarlierEnvironmentAndRecordsIt) {
    Sandbox sandbox;
    sandbox.env.erase("CONCIERGE_PLUGIN_PATH");  // the installed plugins, as in the field
    sandbox.env["ZBX_API_HOST"] = "127.0.0.1:1";   // nothing listens on port 1
    sandbox.env["ZBX_USER"] = "Admin";
    sandbox.env["ZBX_PASS"] = "canary-Scheduler-Pass-77";
    sandbox.env["ZBX_CONFIG_DIR"] = (sandbox.dir() / "backup").string();
    const auto result = run_scheduler({"backup_app"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 7) << result.err;
    EXPECT_NE(result.err.find("zabbix-backup"), std::string::npos) << result.err;
    EXPECT_EQ((result.out + result.err).find("canary-Scheduler-Pass-77"), std::string::npos);
    const auto runs = history::HistoryStore(sandbox.history_db()).runs({});
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.front().plugin, "zabbix-backup");
    EXPECT_EQ(runs.front().status, history::RunStatus::Failed);
    EXPECT_EQ(runs.front().exit_code, 7);
}

}  // namespace
}  // namespace concierge::test
