// `concierge zabbix-autoscale` as users run it, against the sandbox's real Zabbix server and the
// real Docker engine: values reach trapper items through the sender protocol, the plugin reads
// them with item.get and scales this test's own Compose containers and Swarm service (never the
// demo project another run may be using).
#include "process_runner.hpp"
#include "../../sandbox/docker_sandbox_env.hpp"
#include "../../support/sandbox_objects.hpp"
#include "../../support/zabbix_admin.hpp"

#include <cstdint>
#include <concierge/zabbix/sender.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Poco::JSON::Array;
using Poco::JSON::Object;

std::string first_id(const std::string& created, const std::string& member) {
    return Poco::JSON::Parser().parse(created).extract<Object::Ptr>()->getArray(member)->getElement<std::string>(0);
}

class ZabbixAutoscaleSandbox : public testing::Test {
protected:
    void SetUp() override {
        const auto docker = docker_sandbox_variables(SOURCE_DIR);
        ASSERT_TRUE(docker.count("CONCIERGE_DOCKER_SOCKET")) << "is the Docker sandbox there?";
        socket_ = docker.at("CONCIERGE_DOCKER_SOCKET");
        host_ = unique_name("concierge-autoscale");
        project_ = unique_name("autoscale");
        group_id_ = first_id(zabbix().call("hostgroup.create", "{\"name\":\"" + host_ + "\"}"), "groupids");
        host_id_ = first_id(zabbix().call("host.create", "{\"host\":\"" + host_ + "\",\"groups\":[{\"groupid\":\"" +
                                                            group_id_ + "\"}]}"),
                            "hostids");
        zabbix().call("item.create", "{\"hostid\":\"" + host_id_ +
                                         "\",\"name\":\"load\",\"key_\":\"app.load\",\"type\":2,\"value_type\":0}");
        int reloaded = -1;  // so the server takes values for the new item at once
        shell(ZBX_SANDBOX_SCRIPT_ENV " bash '" SOURCE_DIR "/scripts/sandbox/zabbix.sh' reload >/dev/null 2>&1", &reloaded);
        ASSERT_EQ(reloaded, 0) << "the sandbox's Zabbix server did not reload its configuration";
        env_ = sandbox_.env;
        env_["ZBX_API_HOST"] = ZBX_SANDBOX_SOURCE_URL;
        env_["ZBX_USER"] = "Admin";
        env_["ZBX_PASS"] = "zabbix";
        env_["DOCKER_HOST"] = "unix://" + socket_;
        env_["CONCIERGE_LOCK_DIR"] = (sandbox_.dir() / "locks").string();
    }

    void TearDown() override {
        docker("ps -aq --filter label=com.docker.compose.project=" + project_ + " | xargs -r docker rm -f");
        if (!swarm_service_.empty()) docker("service rm " + swarm_service_);
        if (!host_id_.empty()) zabbix().call("host.delete", "[\"" + host_id_ + "\"]");
        if (!group_id_.empty()) zabbix().call("hostgroup.delete", "[\"" + group_id_ + "\"]");
    }

    zabbix::Client& zabbix() {
        if (!zabbix_) zabbix_ = admin_client(ZBX_SANDBOX_SOURCE_URL);
        return *zabbix_;
    }

    std::string docker(const std::string& arguments) const {
        return shell("DOCKER_HOST='unix://" + socket_ + "' docker " + arguments + " 2>&1");
    }

    // Containers as Compose v1 names and labels them; --init so a stop takes a moment, not 10 s.
    void start_compose(int replicas) {
        for (int number = 1; number <= replicas; ++number) {
            int status = -1;
            shell("DOCKER_HOST='unix://" + socket_ + "' docker run -d --init --name " + project_ + "_web_" +
                      std::to_string(number) + " -l com.docker.compose.project=" + project_ +
                      " -l com.docker.compose.service=web -l com.docker.compose.container-number=" + std::to_string(number) +
                      " -l com.docker.compose.oneoff=False localbusybox:latest sleep 3600 >/dev/null",
                  &status);
            ASSERT_EQ(status, 0) << "could not start a container of " << project_;
        }
    }

    int compose_replicas() const {
        return std::atoi(docker("ps -aq --filter label=com.docker.compose.project=" + project_ +
                                " --filter label=com.docker.compose.service=web | wc -l")
                             .c_str());
    }

    void start_swarm() {
        swarm_service_ = unique_name("autoscale-api");
        int status = -1;
        shell("DOCKER_HOST='unix://" + socket_ + "' docker service create --detach --no-resolve-image --stop-grace-period 1s "
              "--replicas 1 --name " + swarm_service_ + " localbusybox:latest sleep 3600 >/dev/null 2>&1",
              &status);
        ASSERT_EQ(status, 0) << "could not create the Swarm service " << swarm_service_;
    }

    int swarm_replicas() const {
        return std::atoi(docker("service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' " + swarm_service_).c_str());
    }

    // Sends a value (measured `age` ago) and waits until item.get shows it, as the plugin reads it.
    void send(const std::string& value, std::chrono::seconds age = 0s) {
        zabbix::SenderSettings settings;
        settings.server = "127.0.0.1";
        settings.port = ZBX_SANDBOX_TRAPPER_PORT;
        // Two values with the same clock second leave the item's last value to chance (a dip sent
        // in the second of the value before it was not seen): each value gets a second of its own.
        const auto clock_now = [&] {
            return std::chrono::duration_cast<std::chrono::seconds>((std::chrono::system_clock::now() - age).time_since_epoch())
                .count();
        };
        while (age == 0s && clock_now() <= last_clock_) std::this_thread::sleep_for(50ms);
        const auto clock = clock_now();
        last_clock_ = clock;
        const auto result = zabbix::Sender(settings).send({{.host = host_, .key = "app.load", .value = value, .clock = clock}});
        ASSERT_EQ(result.processed, 1) << result.info;
        const std::string query = "{\"output\":[\"lastclock\"],\"hostids\":\"" + host_id_ + "\",\"filter\":{\"key_\":\"app.load\"}}";
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto items = Poco::JSON::Parser().parse(zabbix().call("item.get", query)).extract<Array::Ptr>();
            if (items->getObject(0)->getValue<std::string>("lastclock") == std::to_string(clock)) return;
            std::this_thread::sleep_for(200ms);
        }
        FAIL() << "the value " << value << " did not reach item.get within 30 s";
    }

    ProcessResult autoscale(const std::string& orchestrator, const std::string& service, std::vector<std::string> more) {
        std::vector<std::string> args{"zabbix-autoscale", orchestrator, service, "--item", host_ + ":app.load", "-o", "json"};
        if (orchestrator == "compose") args.insert(args.end(), {"--project", project_, "--stop-timeout", "2s"});
        args.insert(args.end(), more.begin(), more.end());
        return run_concierge(args, env_);
    }

    // The one row of the --output json table (one item).
    static Object::Ptr row(const ProcessResult& result) {
        const auto rows = Poco::JSON::Parser().parse(result.out).extract<Array::Ptr>();
        if (rows->size() != 1) throw std::runtime_error("expected one row, got: " + result.out);
        return rows->getObject(0);
    }

    // The decision artifact of run `id`, as `history export` writes it back.
    Object::Ptr decision_of(int id, const std::string& subject) {
        const fs::path dir = sandbox_.dir() / ("export-" + std::to_string(id));
        const auto exported = run_concierge({"history", "export", std::to_string(id), "--dir", dir.string()}, env_);
        if (exported.exit_code != 0) throw std::runtime_error(exported.err);
        std::string file = "autoscale/" + subject;
        for (auto at = file.find('/'); at != std::string::npos; at = file.find('/', at)) file.replace(at, 1, "%2F");
        std::stringstream text;
        text << std::ifstream(dir / file).rdbuf();
        return Poco::JSON::Parser().parse(text.str()).extract<Object::Ptr>();
    }

    Sandbox sandbox_;
    std::map<std::string, std::string> env_;
    std::string socket_, host_, host_id_, group_id_, project_, swarm_service_;
    std::int64_t last_clock_ = 0;  // of the last value sent
    std::unique_ptr<zabbix::Client> zabbix_;
};

TEST_F(ZabbixAutoscaleSandbox, ComposeServiceScalesUpToTheAverageTarget) {
    start_compose(1);
    send("12");  // 12 per replica against a target of 5: ceil(1 x 12 / 5) = 3
    const auto result = autoscale("compose", "web", {"--target", "5", "--min", "1", "--max", "10"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(row(result)->getValue<std::string>("action"), "scaled");
    EXPECT_EQ(row(result)->getValue<int>("desired"), 3);
    EXPECT_EQ(compose_replicas(), 3);
    const auto shown = run_concierge({"history", "show", "1"}, env_);
    EXPECT_NE(shown.out.find("autoscale/compose/" + project_ + "/web"), std::string::npos) << shown.out;
    EXPECT_EQ(decision_of(1, "compose/" + project_ + "/web")->getValue<int>("reached"), 3);
}

TEST_F(ZabbixAutoscaleSandbox, SwarmServiceScalesUpToTheTotalTargetAndWaitsForItsTasks) {
    start_swarm();
    send("350");  // a total of 350 at 100 per replica: ceil(3.5) = 4
    const auto result = autoscale("swarm", swarm_service_, {"--target-per-replica", "100", "--min", "1", "--max", "20"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(row(result)->getValue<std::string>("action"), "scaled");
    EXPECT_EQ(swarm_replicas(), 4);
    const auto running = docker("service ps -q --filter desired-state=running " + swarm_service_ + " | wc -l");
    EXPECT_EQ(std::atoi(running.c_str()), 4);
}

TEST_F(ZabbixAutoscaleSandbox, ADipInsideTheScaleDownWindowHoldsTheCountAndTheSameDipAfterItScalesDown) {
    start_compose(3);
    const std::vector<std::string> policy{"--target", "5", "--min", "1", "--max", "10", "--scale-down-window", "20s"};
    send("5");  // on target: the first run records 3 as the window's recommendation
    auto result = autoscale("compose", "web", policy);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(row(result)->getValue<std::string>("reason"), "tolerance");
    const auto first_run = std::chrono::steady_clock::now();

    send("1");  // a dip: the item alone proposes ceil(3 x 1 / 5) = 1
    result = autoscale("compose", "web", policy);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // The window is wide enough for the sender's value to reach item.get on a busy machine, and for
    // the sanitizer trees' slower runs.
    ASSERT_LT(std::chrono::steady_clock::now() - first_run, 20s) << "too slow to stay inside the window";
    EXPECT_EQ(row(result)->getValue<int>("proposal"), 1);
    EXPECT_EQ(row(result)->getValue<std::string>("reason"), "stabilization-window");
    EXPECT_EQ(compose_replicas(), 3);

    std::this_thread::sleep_until(first_run + 20500ms);
    result = autoscale("compose", "web", policy);  // the same dip, the 3 out of the window
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(row(result)->getValue<std::string>("action"), "scaled");
    EXPECT_EQ(compose_replicas(), 1);
    const auto decision = decision_of(3, "compose/" + project_ + "/web");
    EXPECT_EQ(decision->getValue<std::int64_t>("state_from_run"), 2);
    EXPECT_EQ(decision->getObject("stabilization")->getValue<int>("down_ceiling"), 1);
}

TEST_F(ZabbixAutoscaleSandbox, StaleDataNeverScalesDownAndFreshDataDoes) {
    start_compose(3);
    const std::vector<std::string> policy{"--target", "5", "--min", "1", "--max", "10", "--scale-down-window", "0s",
                                          "--max-age", "1m"};
    send("1", 2min);  // measured 2 minutes ago: older than --max-age
    auto result = autoscale("compose", "web", policy);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(row(result)->getValue<std::string>("state"), "stale");
    EXPECT_EQ(row(result)->getValue<std::string>("reason"), "no-valid-metric");
    EXPECT_EQ(row(result)->getValue<std::string>("action"), "unchanged");
    EXPECT_EQ(compose_replicas(), 3);

    send("1");  // the same value, fresh: now it counts
    result = autoscale("compose", "web", policy);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(row(result)->getValue<std::string>("state"), "valid");
    EXPECT_EQ(compose_replicas(), 1);
}

TEST_F(ZabbixAutoscaleSandbox, DryRunChangesNothingButRecordsTheDecision) {
    start_compose(1);
    send("12");
    const auto result = autoscale("compose", "web", {"--target", "5", "--min", "1", "--max", "10", "--dry-run"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(row(result)->getValue<std::string>("action"), "dry-run");
    EXPECT_EQ(row(result)->getValue<int>("desired"), 3);
    EXPECT_EQ(compose_replicas(), 1);
    const auto decision = decision_of(1, "compose/" + project_ + "/web");
    EXPECT_TRUE(decision->getValue<bool>("dry_run"));
    EXPECT_EQ(decision->getValue<int>("desired"), 3);
    EXPECT_TRUE(decision->isNull("reached"));
    EXPECT_EQ(decision->getObject("state")->getArray("recommendations")->size(), 0u);  // steers no real run
}

TEST_F(ZabbixAutoscaleSandbox, WatchEvaluatesRepeatedlyAndStopsCleanlyOnCtrlC) {
    start_compose(1);
    send("250");  // a total of 250 at 100 per replica: 3, and 3 again once there
    std::vector<std::string> args{"zabbix-autoscale", "compose", "web", "--project", project_, "--item", host_ + ":app.load",
                                  "--target-per-replica", "100", "--min", "1", "--max", "10", "--watch", "1s"};
    Process watch(args, env_);
    ASSERT_TRUE(watch.wait_for_stderr("evaluation 3:", 30000)) << "the watch did not evaluate three times";
    watch.signal(SIGINT);
    const auto result = watch.finish(60s);
    EXPECT_EQ(result.exit_code, 130) << result.err;
    EXPECT_NE(result.err.find("evaluation 1: compose/" + project_ + "/web 1 -> 3"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("evaluation 2: compose/" + project_ + "/web 3 -> 3"), std::string::npos) << result.err;
    EXPECT_EQ(compose_replicas(), 3);
    const auto shown = run_concierge({"history", "show", "1"}, env_);
    EXPECT_NE(shown.out.find("interrupted"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("autoscale/compose/" + project_ + "/web#3"), std::string::npos) << shown.out;
    EXPECT_EQ(decision_of(1, "compose/" + project_ + "/web")->getValue<int>("current"), 3);
}

TEST_F(ZabbixAutoscaleSandbox, ReplayEvaluatesTheTrapperHistoryAndChangesNothing) {
    start_compose(2);
    const auto base = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now()) - 15min;
    const auto age = [](std::chrono::system_clock::time_point at) {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - at);
    };
    const auto utc = [](std::chrono::system_clock::time_point at) {
        const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
        std::tm tm{};
        ::gmtime_r(&seconds, &tm);
        char text[32];
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return std::string(text);
    };
    send("350", age(base + 10s));         // 350 in total at 100 per replica: 4 from the step at 1 min
    send("100", age(base + 5min + 10s));  // a dip to 1: held while the 4 of 5 min is inside the 2 min window
    const auto result = autoscale("compose", "web", {"--target-per-replica", "100", "--min", "1", "--max", "10",
                                                     "--scale-down-window", "2m", "--replay", "--from", utc(base), "--to",
                                                     utc(base + 10min), "--every", "1m"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // Only the steps where the count or the rule changed, and the first and the last.
    std::map<std::string, std::pair<int, std::string>> rows;
    const auto steps = Poco::JSON::Parser().parse(result.out).extract<Array::Ptr>();
    for (const auto& value : *steps) {
        const auto step = value.extract<Object::Ptr>();
        rows[step->getValue<std::string>("time")] = {step->getValue<int>("desired"), step->getValue<std::string>("reason")};
    }
    EXPECT_EQ(rows[utc(base)], std::make_pair(1, std::string("no-valid-metric"))) << result.out;
    EXPECT_EQ(rows[utc(base + 1min)].first, 4) << result.out;
    EXPECT_EQ(rows[utc(base + 6min)], std::make_pair(4, std::string("stabilization-window"))) << result.out;
    EXPECT_EQ(rows[utc(base + 7min)].first, 1) << result.out;
    EXPECT_EQ(rows[utc(base + 10min)].first, 1) << result.out;
    EXPECT_EQ(compose_replicas(), 2);
    const auto shown = run_concierge({"history", "show", "1"}, env_);
    EXPECT_EQ(shown.out.find("autoscale/"), std::string::npos) << "a replay records no decision: " << shown.out;
}

TEST_F(ZabbixAutoscaleSandbox, TwoAutoscalersAtOnceScaleOnceAsTheSecondDecidesFromTheFirstsCount) {
    start_compose(1);
    send("250");  // a total of 250 at 100 per replica: 3
    const std::vector<std::string> args{"zabbix-autoscale", "compose", "web", "--project", project_, "--item",
                                        host_ + ":app.load", "--target-per-replica", "100", "--min", "1", "--max", "10",
                                        "-o", "json"};
    Process first(args, env_), second(args, env_);
    const auto results = std::vector<ProcessResult>{first.finish(120s), second.finish(120s)};
    std::multiset<std::string> actions;
    for (const auto& result : results) {
        ASSERT_EQ(result.exit_code, 0) << result.err;
        actions.insert(row(result)->getValue<std::string>("action"));
        EXPECT_EQ(row(result)->getValue<int>("desired"), 3);
    }
    EXPECT_EQ(actions, (std::multiset<std::string>{"scaled", "unchanged"}));
    EXPECT_EQ(compose_replicas(), 3);
}

TEST_F(ZabbixAutoscaleSandbox, AScaleUpPolicyFromTheCommandLineLimitsTheRate) {
    start_compose(1);
    send("250");  // 3 wanted; one pod per 15 s allowed
    const auto result = autoscale("compose", "web", {"--target-per-replica", "100", "--min", "1", "--max", "10",
                                                     "--scale-up-policy", "pods=1/15s"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(row(result)->getValue<int>("desired"), 2);
    EXPECT_EQ(row(result)->getValue<std::string>("reason"), "scale-up-policy");
    EXPECT_EQ(compose_replicas(), 2);
    const auto policies = decision_of(1, "compose/" + project_ + "/web")->getObject("scale_up")->getArray("policies");
    ASSERT_EQ(policies->size(), 1u);
    EXPECT_EQ(policies->getObject(0)->getValue<int>("value"), 1);
}

TEST_F(ZabbixAutoscaleSandbox, AnUnknownItemIsNotFoundAndNamesIt) {
    start_compose(1);
    const auto result = run_concierge({"zabbix-autoscale", "compose", "web", "--project", project_, "--item",
                                       host_ + ":no.such.key", "--target", "5", "--min", "1", "--max", "3"},
                                      env_);
    EXPECT_EQ(result.exit_code, 11) << result.err;
    EXPECT_NE(result.err.find(host_ + ":no.such.key"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace concierge::test
