// zabbix-report against the sandbox's real Zabbix 6.0 server: the shipped template imported with
// configuration.import and linked to a host, real runs of compose-scale and zabbix-backup in
// history, the report sent through the trapper, and the values and problems read back from the
// server.
#include "process_runner.hpp"
#include "../support/sandbox_objects.hpp"
#include "../support/zabbix_admin.hpp"
#include "../support/zabbix_server_sandbox.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;

const std::string template_name = "Concierge by Zabbix trapper";
const std::string service = "compose/concierge-demo/web";

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Poco::JSON::Array::Ptr array(const std::string& json) { return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Array::Ptr>(); }

class ZabbixReportSandbox : public testing::Test {
protected:
    void SetUp() override {
        int reset = -1;
        shell("bash '" SOURCE_DIR "/scripts/sandbox/docker.sh' reset compose >/dev/null 2>&1", &reset);
        ASSERT_EQ(reset, 0) << "could not reset the Docker sandbox's Compose project";
        zabbix_ = admin_client(ZBX_SANDBOX_SOURCE_URL);
        remove_template();  // left by a killed run
        Poco::JSON::Object params;
        params.set("format", "yaml");
        params.set("source", read(ZBX_REPORT_TEMPLATE));
        params.set("rules", Poco::JSON::Parser().parse(R"({"templates":{"createMissing":true,"updateExisting":true},
            "items":{"createMissing":true,"updateExisting":true},"discoveryRules":{"createMissing":true,"updateExisting":true},
            "triggers":{"createMissing":true,"updateExisting":true},"groups":{"createMissing":true}})"));
        ASSERT_EQ(zabbix_->call("configuration.import", json_text(params)), "true");
        const auto templates = array(zabbix_->call("template.get", R"({"output":["templateid"],"filter":{"host":[")" + template_name + "\"]}}"));
        template_id_ = templates->getObject(0)->getValue<std::string>("templateid");
        host_ = unique_name("concierge-runner");
        host_id_ = first_id(zabbix_->call("host.create", "{\"host\":\"" + host_ + "\",\"groups\":[{\"groupid\":\"2\"}],"
                                                         "\"templates\":[{\"templateid\":\"" + template_id_ + "\"}]}"),
                            "hostids");
        ASSERT_TRUE(reload_zabbix_server());
        sandbox_.env.erase("CONCIERGE_PLUGIN_PATH");
        sandbox_.env["COMPOSE_PROJECT_NAME"] = "concierge-demo";
        sandbox_.env["DOCKER_HOST"] = "unix:///var/run/docker.sock";
        sandbox_.env["ZBX_SERVER_HOST"] = "127.0.0.1:" + std::to_string(ZBX_SANDBOX_TRAPPER_PORT);
        sandbox_.env["CONCIERGE_REPORT_HOST"] = host_;
    }

    void TearDown() override {
        if (!host_id_.empty()) zabbix_->call("host.delete", "[\"" + host_id_ + "\"]");
        remove_template();
    }

    void remove_template() {
        const auto found = array(zabbix_->call("template.get", R"({"output":["templateid"],"filter":{"host":[")" + template_name + "\"]}}"));
        if (found->size() > 0) zabbix_->call("template.delete", "[\"" + found->getObject(0)->getValue<std::string>("templateid") + "\"]");
    }

    // key -> the values the server stored for it on the test's host, oldest first.
    std::map<std::string, std::vector<std::string>> stored() {
        std::map<std::string, std::vector<std::string>> values;
        const auto items = array(zabbix_->call("item.get", "{\"output\":[\"itemid\",\"key_\",\"value_type\"],\"hostids\":[\"" + host_id_ + "\"]}"));
        for (std::size_t i = 0; i < items->size(); ++i) {
            const auto item = items->getObject(static_cast<unsigned>(i));
            const auto history = array(zabbix_->call(
                "history.get", "{\"output\":[\"value\"],\"history\":" + item->getValue<std::string>("value_type") +
                                   ",\"itemids\":[\"" + item->getValue<std::string>("itemid") + "\"],\"sortfield\":\"clock\"}"));
            auto& list = values[item->getValue<std::string>("key_")];
            for (std::size_t j = 0; j < history->size(); ++j) list.push_back(history->getObject(static_cast<unsigned>(j))->getValue<std::string>("value"));
        }
        return values;
    }

    std::vector<std::string> problems() {
        const auto found = array(zabbix_->call("problem.get", "{\"output\":[\"name\"],\"hostids\":[\"" + host_id_ + "\"]}"));
        std::vector<std::string> names;
        for (std::size_t i = 0; i < found->size(); ++i) names.push_back(found->getObject(static_cast<unsigned>(i))->getValue<std::string>("name"));
        return names;
    }

    Sandbox sandbox_;
    std::unique_ptr<zabbix::Client> zabbix_;
    std::string template_id_, host_, host_id_;
};

TEST_F(ZabbixReportSandbox, TheServerReceivesEachRunsOutcomeTheReplicasAndTheBackupAgeAndRaisesTheTemplatesProblems) {
    // History: a scale to the maximum, a refused scale (a stale count), a good backup.
    ASSERT_EQ(run_concierge({"compose-scale", "web", "--replicas", "2", "--max", "2"}, sandbox_.env).exit_code, 0);
    ASSERT_EQ(run_concierge({"compose-scale", "up", "web", "5", "1"}, sandbox_.env).exit_code, 10);
    auto backup_env = sandbox_.env;
    backup_env["ZBX_API_HOST"] = ZBX_SANDBOX_SOURCE_URL;
    backup_env["ZBX_USER"] = "Admin";
    backup_env["ZBX_PASS"] = "zabbix";
    const auto backup = run_concierge({"zabbix-backup", "--config-dir", (sandbox_.dir() / "backup").string()}, backup_env);
    ASSERT_EQ(backup.exit_code, 0) << backup.err;

    // The first report brings the discovered items into being; once the server has them, the next
    // report's values all land.
    const auto first = run_concierge({"zabbix-report"}, sandbox_.env);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    ASSERT_TRUE(eventually([&] { return stored().count("concierge.replicas[" + service + "]") == 1; }))
        << "the server did not create the discovered items";
    ASSERT_TRUE(reload_zabbix_server());
    const auto second = run_concierge({"zabbix-report"}, sandbox_.env);
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_NE(second.out.find(" 0 failed"), std::string::npos) << second.out << second.err;

    // The server's history syncers store the values of one request in several batches: wait for
    // every key the assertions read.
    const std::vector<std::string> keys{"concierge.replicas[" + service + "]", "concierge.replicas.max[" + service + "]",
                                        "concierge.run.exit[compose-scale]", "concierge.run.status[compose-scale]",
                                        "concierge.run.exit[zabbix-backup]", "concierge.backup.exit", "concierge.backup.age"};
    std::map<std::string, std::vector<std::string>> values;
    ASSERT_TRUE(eventually([&] {
        values = stored();
        return values["concierge.scale.refused"].size() == 2 &&
               std::all_of(keys.begin(), keys.end(), [&](const std::string& key) { return !values[key].empty(); });
    })) << "the second report's values did not reach history";
    const auto last = [&](const std::string& key) { return values[key].back(); };  // none is empty, as waited for
    EXPECT_EQ(last("concierge.replicas[" + service + "]"), "2");
    EXPECT_EQ(last("concierge.replicas.max[" + service + "]"), "2");
    EXPECT_EQ(last("concierge.run.exit[compose-scale]"), "10") << "the newest compose-scale run was refused";
    EXPECT_EQ(last("concierge.run.status[compose-scale]"), "failed");
    EXPECT_EQ(last("concierge.run.exit[zabbix-backup]"), "0");
    EXPECT_EQ(last("concierge.backup.exit"), "0");
    EXPECT_LT(std::stoll(last("concierge.backup.age")), 600);
    EXPECT_EQ(values["concierge.scale.refused"], (std::vector<std::string>{"1", "0"})) << "the refusal is counted by one report only";

    std::vector<std::string> raised;
    ASSERT_TRUE(eventually([&] {
        raised = problems();
        return raised.size() >= 2;
    })) << "the template's triggers did not fire";
    const auto has = [&](const std::string& name) { return std::find(raised.begin(), raised.end(), name) != raised.end(); };
    EXPECT_TRUE(has("concierge: a scale was refused"));
    EXPECT_TRUE(has(service + " is at its maximum replicas"));
    EXPECT_TRUE(std::none_of(raised.begin(), raised.end(), [](const std::string& name) { return name.starts_with("concierge: backup"); }))
        << "a good backup of a moment ago is no problem";
}

TEST_F(ZabbixReportSandbox, AHostZabbixDoesNotKnowIsExit9NamingTheHost) {
    sandbox_.env["CONCIERGE_REPORT_HOST"] = "no-such-host-" + host_;
    const auto result = run_concierge({"zabbix-report"}, sandbox_.env);
    EXPECT_EQ(result.exit_code, 9) << result.err;
    EXPECT_NE(result.err.find("accepted none of the"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("no-such-host-" + host_), std::string::npos) << result.err;
}

}  // namespace
}  // namespace concierge::test
