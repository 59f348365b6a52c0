// `concierge_scheduler` as Zabbix alert actions in the field call it, with only the environment
// they set, against the real sandboxes: a Zabbix 6.0 source and destination and the Docker engine
// over mutual TLS, whose client certificates sit in a Zabbix host's inventory as the earlier
// tool's deployments keep them. Each line of the earlier interface runs here; every test fails,
// never skips, when a sandbox is missing.
#include "process_runner.hpp"
#include "../sandbox/docker_sandbox_env.hpp"
#include "../support/sandbox_objects.hpp"
#include "../support/zabbix_admin.hpp"

#include "history/history_store.hpp"


#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;

const std::string component = "web";  // a service of the sandbox's Compose project
const std::string project = "concierge-demo";

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class SchedulerCompatSandbox : public testing::Test {
protected:
    void SetUp() override {
        source_url_ = ZBX_SANDBOX_SOURCE_URL;  // compiled in by CMake from the sandbox's ports
        destination_url_ = ZBX_SANDBOX_DEST_URL;
        docker_ = docker_sandbox_variables(SOURCE_DIR);
        ASSERT_TRUE(docker_.count("DOCKER_CERT_PATH") && docker_.count("DOCKER_HOST"))
            << "scripts/sandbox/docker.sh env tls gave nothing: is the Docker sandbox there?";
        int reset = -1;
        shell("bash '" SOURCE_DIR "/scripts/sandbox/docker.sh' reset compose >/dev/null 2>&1", &reset);
        ASSERT_EQ(reset, 0) << "could not reset the sandbox's Compose project";

        // Only what the alert actions set, plus where this test keeps history and config.
        sandbox_.env.erase("CONCIERGE_PLUGIN_PATH");
        sandbox_.env["ZBX_API_HOST"] = source_url_;
        sandbox_.env["ZBX_USER"] = "Admin";
        sandbox_.env["ZBX_PASS"] = "zabbix";
        sandbox_.env["ZBX_CONFIG_DIR"] = (sandbox_.dir() / "app_config").string();
        sandbox_.env["DOCKER_HOST"] = docker_["DOCKER_HOST"];
        sandbox_.env["DOCKER_CERT_PATH"] = (sandbox_.dir() / "certs").string();  // the seed's: where certificates go
        sandbox_.env["COMPOSE_HTTP_TIMEOUT"] = "800";
        sandbox_.env["XDG_RUNTIME_DIR"] = (sandbox_.dir() / "runtime").string();
        fs::create_directories(sandbox_.dir() / "runtime");
        fs::create_directories(sandbox_.dir() / "config" / "concierge");
        std::ofstream(sandbox_.dir() / "config" / "concierge" / "config") << "[compose]\nproject = " << project << "\n";
    }

    void TearDown() override {
        if (!inventory_host_id_.empty()) zabbix().call("host.delete", "[\"" + inventory_host_id_ + "\"]");
    }

    zabbix::Client& zabbix() {
        if (!zabbix_) zabbix_ = admin_client(source_url_);
        return *zabbix_;
    }

    // The component's "dummy" host: the engine's client key, CA and certificate in its inventory.
    void put_docker_certs_in_inventory() {
        const auto existing = Poco::JSON::Parser().parse(zabbix().call("host.get", R"({"output":["hostid"],"selectInventory":["alias"],"searchInventory":{"alias":"web"}})"));
        const auto hosts = existing.extract<Poco::JSON::Array::Ptr>();
        for (std::size_t i = 0; i < hosts->size(); ++i)  // left by an earlier, killed run of this test
            zabbix().call("host.delete", "[\"" + hosts->getObject(static_cast<unsigned>(i))->getValue<std::string>("hostid") + "\"]");
        const fs::path certs = docker_["DOCKER_CERT_PATH"];
        key_ = read(certs / "key.pem");
        Poco::JSON::Object inventory;
        inventory.set("alias", component);
        inventory.set("notes", key_);
        inventory.set("poc_1_notes", read(certs / "ca.pem"));
        inventory.set("poc_2_notes", read(certs / "cert.pem"));
        Poco::JSON::Object group;
        group.set("groupid", "2");  // Linux servers, in every pristine 6.0
        Poco::JSON::Array groups;
        groups.add(group);
        Poco::JSON::Object host;
        host.set("host", "concierge-compat-" + component);
        host.set("groups", groups);
        host.set("inventory_mode", 0);
        host.set("inventory", inventory);
        const auto created = Poco::JSON::Parser().parse(zabbix().call("host.create", json_text(host)));
        inventory_host_id_ = created.extract<Poco::JSON::Object::Ptr>()->getArray("hostids")->getElement<std::string>(0);
    }

    history::Run last_run() {
        const auto runs = history::HistoryStore(sandbox_.history_db()).runs({});
        EXPECT_FALSE(runs.empty());
        return runs.empty() ? history::Run{} : runs.front();
    }

    std::size_t web_replicas() {
        const std::string out = shell("DOCKER_HOST='unix://" + docker_["CONCIERGE_DOCKER_SOCKET"] + "' docker ps -q --filter label=com.docker.compose.project=" +
                                      project + " --filter label=com.docker.compose.service=" + component + " | wc -l");
        return static_cast<std::size_t>(std::atoi(out.c_str()));
    }

    // The run succeeded, was recorded under the plugin's name, and neither its output nor the
    // history database shows the Docker key, whose text came from the Zabbix inventory.
    void expect_recorded(const ProcessResult& result, const std::string& plugin) {
        EXPECT_EQ(result.exit_code, 0) << result.err;
        const auto run = last_run();
        EXPECT_EQ(run.plugin, plugin);
        EXPECT_EQ(run.status, history::RunStatus::Succeeded) << run.error;
        if (key_.empty()) return;
        const std::string key_body = key_.substr(key_.find('\n') + 1, 48);
        EXPECT_EQ((result.out + result.err).find(key_body), std::string::npos) << "the key was printed";
        for (const auto* suffix : {"", "-wal"})
            EXPECT_EQ(read(sandbox_.history_db().string() + suffix).find(key_body), std::string::npos) << "the key is in history";
        EXPECT_TRUE(fs::is_empty(sandbox_.dir() / "runtime" / "concierge-certs")) << "certificate files outlived the run";
    }

    Sandbox sandbox_;
    std::map<std::string, std::string> docker_;
    std::string source_url_, destination_url_, inventory_host_id_, key_;
    std::unique_ptr<zabbix::Client> zabbix_;
};

TEST_F(SchedulerCompatSandbox, BackupAppThenImportAppRestoreTheSourceIntoTheDestination) {
    const auto backup = run_scheduler({"backup_app"}, sandbox_.env);
    expect_recorded(backup, "zabbix-backup");
    const fs::path dir = sandbox_.env["ZBX_CONFIG_DIR"];
    for (const auto* file : {"templates.json", "hostgroups.json", "hosts.json", "mediatypes.json", "reg_actions.json",
                             "trigger_actions.json", "manifest.json"})
        EXPECT_TRUE(fs::exists(dir / file)) << file;

    sandbox_.env["ZBX_API_HOST"] = destination_url_;
    const auto restore = run_scheduler({"import_app"}, sandbox_.env);
    expect_recorded(restore, "zabbix-import");
}

TEST_F(SchedulerCompatSandbox, ServicePsListsTheComponentOverTlsWithCertificatesFromInventory) {
    put_docker_certs_in_inventory();
    const auto result = run_scheduler({"service_ps", component}, sandbox_.env);
    expect_recorded(result, "compose-ps");
    EXPECT_NE(result.out.find(project + "_" + component + "_1"), std::string::npos) << result.out;
    EXPECT_FALSE(fs::exists(sandbox_.env["DOCKER_CERT_PATH"])) << "certificates were written where others may read them";
}

TEST_F(SchedulerCompatSandbox, ScaleUpThenScaleDownWithTheEarlierArgumentsChangeTheRealCount) {
    put_docker_certs_in_inventory();
    ASSERT_EQ(web_replicas(), 1u);
    expect_recorded(run_scheduler({"scale_up", component, "1", "1"}, sandbox_.env), "compose-scale");
    EXPECT_EQ(web_replicas(), 2u);
    expect_recorded(run_scheduler({"scale_down", component, "2", "1"}, sandbox_.env), "compose-scale");
    EXPECT_EQ(web_replicas(), 1u);
}

TEST_F(SchedulerCompatSandbox, ScaleWithAStaleCurrentIsRefusedAsTheEarlierToolShouldHave) {
    put_docker_certs_in_inventory();
    const auto result = run_scheduler({"scale_up", component, "3", "1"}, sandbox_.env);
    EXPECT_EQ(result.exit_code, 10) << result.err;
    EXPECT_EQ(web_replicas(), 1u);
    EXPECT_EQ(last_run().status, history::RunStatus::Failed);
}

TEST_F(SchedulerCompatSandbox, ServicePsWithoutAnInventoryHostSaysWhereTheCertificatesShouldBe) {
    const auto result = run_scheduler({"service_ps", "worker"}, sandbox_.env);
    EXPECT_EQ(result.exit_code, 11) << result.err;
    EXPECT_NE(result.err.find("no Zabbix host has inventory alias 'worker'"), std::string::npos) << result.err;
    EXPECT_EQ(last_run().plugin, "compose-ps");
}

}  // namespace
}  // namespace concierge::test
