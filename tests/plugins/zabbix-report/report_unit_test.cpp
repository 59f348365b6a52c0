// What zabbix-report sends, from history alone: the template's keys, one value per plugin and
// service, refusals counted once, the backup's age from the last good one.
#include "report.hpp"

#include <gtest/gtest.h>

#include <map>

namespace concierge::report {
namespace {

sdk::RunRecord run(std::int64_t id, std::string plugin, std::string status, int exit_code, std::int64_t started,
                   std::int64_t ended, std::vector<std::string> artifacts = {}) {
    return {id, std::move(plugin), std::move(status), exit_code, started, ended, "", "", std::move(artifacts)};
}

std::map<std::string, std::string> by_key(const std::vector<zabbix::TrapperValue>& values) {
    std::map<std::string, std::string> map;
    for (const auto& value : values) {
        EXPECT_EQ(value.host, "runner01");
        EXPECT_TRUE(map.emplace(value.key, value.value).second) << "sent twice: " << value.key;
    }
    return map;
}

TEST(ZabbixReport, EachPluginsNewestFinishedRunIsReportedWithItsExitStatusAndDuration) {
    History history;
    history.now = 100'000;
    history.runs = {run(4, "compose-scale", "running", 0, 90'000, 0), run(3, "compose-scale", "failed", 10, 50'000, 51'250),
                    run(2, "compose-scale", "succeeded", 0, 40'000, 41'000), run(1, "compose-ps", "succeeded", 0, 30'000, 30'020)};
    history.runs[0].exit_code.reset();
    history.runs[0].ended_at.reset();
    const auto sent = by_key(values_for("runner01", history));
    EXPECT_EQ(sent.at("concierge.plugins.discovery"), R"([{"{#PLUGIN}":"compose-ps"},{"{#PLUGIN}":"compose-scale"}])");
    EXPECT_EQ(sent.at("concierge.run.exit[compose-scale]"), "10");
    EXPECT_EQ(sent.at("concierge.run.status[compose-scale]"), "failed");
    EXPECT_EQ(sent.at("concierge.run.duration[compose-scale]"), "1.250");
    EXPECT_EQ(sent.at("concierge.run.duration[compose-ps]"), "0.020");
}

TEST(ZabbixReport, DiscoveryComesFirstSoTheServerCreatesItemsBeforeTheirValues) {
    History history;
    history.runs = {run(1, "compose-ps", "succeeded", 0, 1, 2)};
    const auto values = values_for("runner01", history);
    ASSERT_GE(values.size(), 2u);
    EXPECT_EQ(values[0].key, "concierge.plugins.discovery");
    EXPECT_EQ(values[1].key, "concierge.services.discovery");
}

TEST(ZabbixReport, TheBackupsAgeIsFromTheLastGoodOneAndItsExitFromTheNewestFinished) {
    History history;
    history.now = 1'000'000;
    history.backups = {run(9, "zabbix-backup", "failed", 9, 900'000, 910'000), run(8, "zabbix-backup", "succeeded", 0, 500'000, 520'000)};
    const auto sent = by_key(values_for("runner01", history));
    EXPECT_EQ(sent.at("concierge.backup.exit"), "9");
    EXPECT_EQ(sent.at("concierge.backup.age"), "480");
}

TEST(ZabbixReport, WithoutAGoodBackupNoAgeIsSentSoTheTemplatesNodataFires) {
    History history;
    history.backups = {run(9, "zabbix-backup", "failed", 6, 1, 2)};
    const auto sent = by_key(values_for("runner01", history));
    EXPECT_EQ(sent.count("concierge.backup.age"), 0u);
    EXPECT_EQ(sent.at("concierge.backup.exit"), "6");
}

TEST(ZabbixReport, EachScaledServiceReportsTheNewestCountAndItsMax) {
    History history;
    history.runs = {run(3, "swarm-scale", "succeeded", 0, 30, 31, {"swarm/api"}),
                    run(2, "compose-scale", "succeeded", 0, 20, 21, {"compose/shop/web"}),
                    run(1, "compose-scale", "succeeded", 0, 10, 11, {"compose/shop/web"})};
    const std::map<std::int64_t, std::string> artifacts{
        {3, R"({"from":1,"to":4})"}, {2, R"({"from":2,"to":3,"max":3})"}, {1, R"({"from":1,"to":2,"max":5})"}};
    history.artifact = [&](std::int64_t id, const std::string&) -> std::optional<std::string> { return artifacts.at(id); };
    const auto sent = by_key(values_for("runner01", history));
    EXPECT_EQ(sent.at("concierge.services.discovery"), R"([{"{#SERVICE}":"compose/shop/web"},{"{#SERVICE}":"swarm/api"}])");
    EXPECT_EQ(sent.at("concierge.replicas[compose/shop/web]"), "3");
    EXPECT_EQ(sent.at("concierge.replicas.max[compose/shop/web]"), "3");
    EXPECT_EQ(sent.at("concierge.replicas[swarm/api]"), "4");
    EXPECT_EQ(sent.count("concierge.replicas.max[swarm/api]"), 0u);
}

TEST(ZabbixReport, ANameThatWouldBreakTheKeyIsQuotedAsTheServerQuotesDiscoveredNames) {
    History history;
    history.runs = {run(1, "compose-scale", "succeeded", 0, 1, 2, {"compose/a,b/we\"b]"})};
    history.artifact = [](std::int64_t, const std::string&) -> std::optional<std::string> { return R"({"from":1,"to":2})"; };
    const auto sent = by_key(values_for("runner01", history));
    EXPECT_EQ(sent.at(R"(concierge.replicas["compose/a,b/we\"b]"])"), "2");
}

TEST(ZabbixReport, RefusedScalesAreCountedOnceFromTheLastReportOn) {
    History history;
    history.runs = {run(4, "compose-scale", "failed", 10, 400, 410), run(3, "swarm-scale", "failed", 10, 300, 310),
                    run(2, "compose-scale", "failed", 10, 200, 210), run(1, "zabbix-import", "failed", 10, 100, 110)};
    EXPECT_EQ(by_key(values_for("runner01", history)).at("concierge.scale.refused"), "3") << "a first report counts the window";
    history.last_report = 310;
    EXPECT_EQ(by_key(values_for("runner01", history)).at("concierge.scale.refused"), "1");
}

TEST(ZabbixReport, AnArtifactThatIsNotAScaleRecordIsIgnored) {
    History history;
    history.runs = {run(1, "compose-scale", "succeeded", 0, 1, 2, {"compose/shop/web", "report.json"})};
    history.artifact = [](std::int64_t, const std::string&) -> std::optional<std::string> { return "not json"; };
    const auto sent = by_key(values_for("runner01", history));
    EXPECT_EQ(sent.at("concierge.services.discovery"), "[]");
    EXPECT_FALSE(is_scale_subject("report.json"));
}

}  // namespace
}  // namespace concierge::report
