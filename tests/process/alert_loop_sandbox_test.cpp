// The alert loop as users deploy it, with nothing in between: values reach a real Zabbix 6.0
// server through its trapper, a trigger fires, the trigger's action runs a global script on the
// Zabbix server, and that script runs `concierge_scheduler scale_up|scale_down` against the real
// Docker engine. The recovery runs scale_down; an alert carrying a stale count is refused. The
// script's command and the action's settings are the ones the README tells users to copy.
#include "process_runner.hpp"
#include "../sandbox/docker_sandbox_env.hpp"
#include "../support/sandbox_objects.hpp"
#include "../support/zabbix_admin.hpp"
#include "../support/zabbix_server_sandbox.hpp"

#include "history/history_store.hpp"

#include <concierge/zabbix/sender.hpp>

#include <Poco/JSON/Object.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string project = "concierge-demo";  // the Docker sandbox's Compose project
const std::string swarm_service = "concierge-demo-api";

class AlertLoopSandbox : public testing::Test {
protected:
    void SetUp() override {
        int reset = -1;
        shell("bash '" SOURCE_DIR "/scripts/sandbox/docker.sh' reset >/dev/null 2>&1", &reset);
        ASSERT_EQ(reset, 0) << "could not reset the Docker sandbox's Compose project and swarm";
        const auto docker = docker_sandbox_variables(SOURCE_DIR);
        ASSERT_TRUE(docker.count("CONCIERGE_DOCKER_SOCKET")) << "is the Docker sandbox there?";
        socket_ = docker.at("CONCIERGE_DOCKER_SOCKET");
        host_ = unique_name("concierge-alerts");
    }

    void TearDown() override {
        for (const auto& id : action_ids_) zabbix().call("action.delete", "[\"" + id + "\"]");
        for (const auto& id : script_ids_) zabbix().call("script.delete", "[\"" + id + "\"]");
        if (!host_id_.empty()) zabbix().call("host.delete", "[\"" + host_id_ + "\"]");
        if (!group_id_.empty()) zabbix().call("hostgroup.delete", "[\"" + group_id_ + "\"]");
    }

    zabbix::Client& zabbix() {
        if (!zabbix_) zabbix_ = admin_client(ZBX_SANDBOX_SOURCE_URL);
        return *zabbix_;
    }

    // What the README's "From a Zabbix action" section has users write: one config file for the
    // actions' runs, named by CONCIERGE_CONFIG in the script's command.
    fs::path write_config(const std::string& orchestrator) {
        const fs::path path = sandbox_.dir() / "zabbix-actions.conf";
        std::ofstream(path) << "history = " << history_db().string() << "\n"
                            << "[scheduler]\norchestrator = " << orchestrator << "\n"
                            << "[compose]\nproject = " << project << "\n"
                            << "[docker]\nhost = unix://" << socket_ << "\n";
        return path;
    }

    fs::path history_db() const { return sandbox_.dir() / "actions-history.db"; }

    // A host with two trapper items: the load that crosses the trigger, and the replica count
    // the trigger's second item reports as {ITEM.VALUE2}.
    void create_host() {
        group_id_ = first_id(zabbix().call("hostgroup.create", "{\"name\":\"" + host_ + "\"}"), "groupids");
        host_id_ = first_id(zabbix().call("host.create", "{\"host\":\"" + host_ + "\",\"groups\":[{\"groupid\":\"" +
                                                            group_id_ + "\"}]}"),
                            "hostids");
        for (const auto& [key, value_type] : {std::pair{"app.load", 0}, std::pair{"app.replicas", 3}})
            zabbix().call("item.create", "{\"hostid\":\"" + host_id_ + "\",\"name\":\"" + key + "\",\"key_\":\"" + key +
                                             "\",\"type\":2,\"value_type\":" + std::to_string(value_type) + "}");
    }

    std::string create_script(const std::string& name, const std::string& command) {
        Poco::JSON::Object script;
        script.set("name", unique_name(name));
        script.set("scope", 1);       // action operation
        script.set("type", 0);        // script
        script.set("execute_on", 1);  // Zabbix server
        script.set("command", command);
        script_ids_.push_back(first_id(zabbix().call("script.create", json_text(script)), "scriptids"));
        return script_ids_.back();
    }

    // The trigger's problem operation runs `up`; its recovery operation runs `down`.
    void create_action(const std::string& trigger_expression, const std::string& up, const std::string& down) {
        Poco::JSON::Object trigger;
        trigger.set("description", host_ + " load is high");
        trigger.set("expression", trigger_expression);
        trigger.set("priority", 3);
        const auto trigger_id = first_id(zabbix().call("trigger.create", json_text(trigger)), "triggerids");
        const auto operation = [](const std::string& script_id) {
            return "[{\"operationtype\":1,\"opcommand\":{\"scriptid\":\"" + script_id +
                   "\"},\"opcommand_hst\":[{\"hostid\":\"0\"}]}]";
        };
        const std::string action = "{\"name\":\"" + unique_name("concierge-scale") +
                                   "\",\"eventsource\":0,\"status\":0,\"esc_period\":\"1h\",\"filter\":{\"evaltype\":0,"
                                   "\"conditions\":[{\"conditiontype\":2,\"operator\":0,\"value\":\"" +
                                   trigger_id + "\"}]},\"operations\":" + operation(up) +
                                   (down.empty() ? "" : ",\"recovery_operations\":" + operation(down)) + "}";
        action_ids_.push_back(first_id(zabbix().call("action.create", action), "actionids"));
        ASSERT_TRUE(reload_zabbix_server()) << "the sandbox's Zabbix server did not reload its configuration";
    }

    void send(const std::string& key, const std::string& value) {
        zabbix::SenderSettings settings;
        settings.server = "127.0.0.1";
        settings.port = ZBX_SANDBOX_TRAPPER_PORT;
        const auto result = zabbix::Sender(settings).send({{.host = host_, .key = key, .value = value}});
        ASSERT_EQ(result.processed, 1) << result.info;
    }

    // The alert as a monitored application raises it: the replica count it sees, then the load.
    void alert(const std::string& load, const std::string& replicas) {
        send("app.replicas", replicas);
        send("app.load", load);
    }

    std::vector<history::Run> runs() const {
        if (!fs::exists(history_db())) return {};
        return history::HistoryStore(history_db()).runs({.limit = 0});
    }

    std::size_t compose_replicas() const {
        const std::string out = shell("DOCKER_HOST='unix://" + socket_ + "' docker ps -q --filter label=com.docker.compose.project=" +
                                      project + " --filter label=com.docker.compose.service=web | wc -l");
        return static_cast<std::size_t>(std::atoi(out.c_str()));
    }

    std::size_t swarm_replicas() const {
        const std::string out = shell("DOCKER_HOST='unix://" + socket_ + "' docker service inspect -f "
                                      "'{{.Spec.Mode.Replicated.Replicas}}' " + swarm_service);
        return static_cast<std::size_t>(std::atoi(out.c_str()));
    }

    // The whole loop for one orchestrator: up on the problem, down on its recovery, and a stale
    // count refused with exit 10, each run recorded in the actions' history.
    void prove_loop(const std::string& orchestrator, const std::string& component,
                    const std::function<std::size_t()>& replicas) {
        ASSERT_EQ(replicas(), 1u);
        const fs::path config = write_config(orchestrator);
        const std::string run = "CONCIERGE_CONFIG=" + config.string() + " " + scheduler_binary().string();
        create_host();
        create_action("last(/" + host_ + "/app.load)>5 and last(/" + host_ + "/app.replicas)>=0",
                      create_script("concierge scale_up", run + " scale_up " + component + " {ITEM.VALUE2} 1"),
                      create_script("concierge scale_down", run + " scale_down " + component + " {ITEM.VALUE2} 1"));
        const std::string plugin = orchestrator + "-scale";

        alert("10", "1");
        ASSERT_TRUE(eventually([&] { return replicas() == 2; })) << "the problem's action did not scale up";
        alert("1", "2");
        ASSERT_TRUE(eventually([&] { return replicas() == 1; })) << "the recovery's action did not scale down";
        ASSERT_TRUE(eventually([&] { return runs().size() == 2; }));

        alert("10", "7");  // a count the engine contradicts: the action must change nothing
        ASSERT_TRUE(eventually([&] { return runs().size() == 3; })) << "the stale alert's action did not run";
        EXPECT_EQ(replicas(), 1u);

        const auto recorded = runs();  // newest first
        ASSERT_EQ(recorded.size(), 3u);
        EXPECT_EQ(recorded[0].exit_code, 10) << recorded[0].error;
        EXPECT_NE(recorded[0].error.find("not 7"), std::string::npos) << recorded[0].error;
        for (std::size_t i = 0; i < recorded.size(); ++i) EXPECT_EQ(recorded[i].plugin, plugin) << i;
        EXPECT_EQ(recorded[1].arguments, (std::vector<std::string>{"down", "--", component, "2", "1"}));
        EXPECT_EQ(recorded[1].status, history::RunStatus::Succeeded) << recorded[1].error;
        EXPECT_EQ(recorded[2].arguments, (std::vector<std::string>{"up", "--", component, "1", "1"}));
        EXPECT_EQ(recorded[2].status, history::RunStatus::Succeeded) << recorded[2].error;
    }

    Sandbox sandbox_;
    std::string socket_, host_, host_id_, group_id_;
    std::vector<std::string> script_ids_, action_ids_;
    std::unique_ptr<zabbix::Client> zabbix_;
};

TEST_F(AlertLoopSandbox, ZabbixScalesAComposeServiceUpOnAProblemAndDownOnItsRecoveryAndRefusesAStaleCount) {
    prove_loop("compose", "web", [this] { return compose_replicas(); });
}

TEST_F(AlertLoopSandbox, ZabbixScalesASwarmServiceUpOnAProblemAndDownOnItsRecoveryAndRefusesAStaleCount) {
    prove_loop("swarm", swarm_service, [this] { return swarm_replicas(); });
}

// backup_app from an action: here a trapper value an operator or a scheduler sends ("back up
// now"); the README gives the cron line for the nightly one.
TEST_F(AlertLoopSandbox, ZabbixRunsBackupAppFromAnActionAndTheBackupIsRecorded) {
    const fs::path backups = sandbox_.dir() / "backups";
    const fs::path config = write_config("compose");
    std::ofstream(config, std::ios::app) << "[zabbix]\napi-host = " ZBX_SANDBOX_SOURCE_URL "\nuser = Admin\n"
                                         << "password-file = " << (sandbox_.dir() / "zabbix-password").string() << "\n";
    std::ofstream(sandbox_.dir() / "zabbix-password") << "zabbix\n";
    fs::permissions(config, fs::perms::owner_read | fs::perms::owner_write);
    create_host();
    create_action("last(/" + host_ + "/app.load)>5",
                  create_script("concierge backup_app", "ZBX_CONFIG_DIR=" + backups.string() + " CONCIERGE_CONFIG=" +
                                                            config.string() + " " + scheduler_binary().string() + " backup_app"),
                  "");
    send("app.load", "10");
    ASSERT_TRUE(eventually([&] { return !runs().empty() && runs().front().status != history::RunStatus::Running; }, 180s))
        << "the action's backup did not run";
    const auto run = runs().front();
    EXPECT_EQ(run.plugin, "zabbix-backup");
    EXPECT_EQ(run.status, history::RunStatus::Succeeded) << run.error;
    EXPECT_TRUE(fs::exists(backups / "manifest.json"));
}

}  // namespace
}  // namespace concierge::test
