// Unit tests of the Docker plugins' pure logic: the two argument shapes, the target count and its
// bounds, the cooldown, the lock, Compose's names, the clone of a replica, the scale-down order,
// and the Swarm service and task parsing. The engine itself is exercised in the sandbox tests.
#include "compose.hpp"
#include "engine_json.hpp"
#include "scale_request.hpp"
#include "swarm.hpp"

#include "../../sdk/fake_context.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace concierge {
namespace {

using Poco::JSON::Object;
using sdk::ExitCode;

template <class F>
ExitCode code_of(F&& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const sdk::Error& e) {
        if (message) *message = e.what();
        return e.code();
    }
    return ExitCode::Ok;
}

// ---- argument shapes -------------------------------------------------------------------------

TEST(ParseRequest, SeedShapeUpAndDown) {
    auto up = scaling::parse_request({"up", "web", "1", "2"}, std::nullopt);
    EXPECT_EQ(up.component, "web");
    EXPECT_EQ(up.expected, 1);
    EXPECT_EQ(up.delta, 2);
    EXPECT_FALSE(up.replicas);
    auto down = scaling::parse_request({"down", "web", "3", "1"}, std::nullopt);
    EXPECT_EQ(down.delta, -1);
    EXPECT_EQ(down.expected, 3);
}

TEST(ParseRequest, ReplicasShape) {
    auto request = scaling::parse_request({"web"}, 4);
    EXPECT_EQ(request.component, "web");
    EXPECT_EQ(request.replicas, 4);
    EXPECT_FALSE(request.expected);
}

TEST(ParseRequest, OtherShapesAreUsageErrors) {
    const std::vector<std::pair<std::vector<std::string>, std::optional<std::int64_t>>> bad = {
        {{}, std::nullopt},         {{"web"}, std::nullopt},          {{"up", "web", "1"}, std::nullopt},
        {{"up", "web", "1", "2"}, 3}, {{"web", "extra"}, 2},           {{"up", "web", "x", "1"}, std::nullopt},
        {{"up", "web", "1", "-1"}, std::nullopt}, {{"down", "web", "1", "0"}, std::nullopt}, {{"web"}, -1}};
    for (const auto& [positional, replicas] : bad)
        EXPECT_EQ(code_of([&] { scaling::parse_request(positional, replicas); }), ExitCode::Usage) << positional.size();
}

TEST(ParseRequest, DownBelowZeroIsRefusedBeforeAskingTheEngine) {
    std::string message;
    EXPECT_EQ(code_of([&] { scaling::parse_request({"down", "web", "1", "3"}, std::nullopt); }, &message), ExitCode::Usage);
    EXPECT_NE(message.find("below zero"), std::string::npos) << message;
}

// ---- target and bounds -----------------------------------------------------------------------

TEST(TargetFor, DeltaAppliesToTheCheckedCount) {
    auto request = scaling::parse_request({"up", "web", "2", "3"}, std::nullopt);
    EXPECT_EQ(scaling::target_for(request, 2, {}, false, "web").count, 5);
}

TEST(TargetFor, CurrentMismatchIsAConflictNamingTheActualCount) {
    auto request = scaling::parse_request({"up", "web", "1", "1"}, std::nullopt);
    std::string message;
    EXPECT_EQ(code_of([&] { scaling::target_for(request, 2, {}, false, "demo/web"); }, &message), ExitCode::Conflict);
    EXPECT_NE(message.find("has 2 replicas, not 1"), std::string::npos) << message;
}

TEST(TargetFor, ForceAppliesDeltaToTheActualCount) {
    auto request = scaling::parse_request({"up", "web", "1", "1"}, std::nullopt);
    EXPECT_EQ(scaling::target_for(request, 2, {}, true, "web").count, 3);
}

TEST(TargetFor, MinAndMaxCapTheTarget) {
    scaling::Bounds bounds{.min = 2, .max = 5, .allow_zero = false};
    auto target = scaling::target_for(scaling::parse_request({"web"}, 9), 3, bounds, false, "web");
    EXPECT_EQ(target.count, 5);
    EXPECT_NE(target.note.find("--max 5"), std::string::npos);
    EXPECT_EQ(scaling::target_for(scaling::parse_request({"web"}, 1), 3, bounds, false, "web").count, 2);
}

TEST(TargetFor, ZeroNeedsAllowZero) {
    auto request = scaling::parse_request({"down", "web", "1", "1"}, std::nullopt);
    EXPECT_EQ(code_of([&] { scaling::target_for(request, 1, {}, false, "web"); }), ExitCode::Conflict);
    EXPECT_EQ(scaling::target_for(request, 1, {.min = 0, .max = std::nullopt, .allow_zero = true}, false, "web").count, 0);
}

TEST(TargetFor, ForcedDeltaBelowZeroIsRefused) {
    auto request = scaling::parse_request({"down", "web", "3", "3"}, std::nullopt);
    EXPECT_EQ(code_of([&] { scaling::target_for(request, 1, {.min = 0, .max = std::nullopt, .allow_zero = true}, true, "web"); }),
              ExitCode::Usage);
}

// ---- cooldown and lock -----------------------------------------------------------------------

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(Cooldown, RefusesWithinTheWindowOfTheSameSubjectOnly) {
    test::FakeContext ctx;
    ctx.last_success["compose/p/web"] = now_ms() - 30'000;
    EXPECT_EQ(code_of([&] { scaling::check_cooldown(ctx, "compose/p/web", std::chrono::minutes(1)); }), ExitCode::Conflict);
    EXPECT_EQ(code_of([&] { scaling::check_cooldown(ctx, "compose/p/web", std::chrono::seconds(10)); }), ExitCode::Ok);
    EXPECT_EQ(code_of([&] { scaling::check_cooldown(ctx, "compose/p/worker", std::chrono::minutes(1)); }), ExitCode::Ok);
}

TEST(Cooldown, RecordScaleSavesTheArtifactTheCooldownLooksFor) {
    test::FakeContext ctx;
    scaling::record_scale(ctx, "swarm/api", 1, 3);
    EXPECT_EQ(ctx.artifacts.at("swarm/api"), R"({"from":1,"to":3})");
    scaling::record_scale(ctx, "swarm/api", 3, 5, 5);
    EXPECT_EQ(ctx.artifacts.at("swarm/api"), R"({"from":3,"to":5,"max":5})") << "zabbix-report reads the max";
}

bool locked_elsewhere(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    const bool busy = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
    ::close(fd);
    return busy;
}

TEST(Cooldown, FailsClosedWhenHistoryCannotBeRead) {
    test::FakeContext ctx;
    ctx.history_unreadable = true;
    std::string message;
    EXPECT_EQ(code_of([&] { scaling::check_cooldown(ctx, "swarm/api", std::chrono::minutes(1)); }, &message), ExitCode::HistoryError);
    EXPECT_NE(message.find("cannot check --cooldown of swarm/api, so nothing changed: cannot read history"), std::string::npos) << message;
    EXPECT_EQ(code_of([&] { scaling::check_cooldown(ctx, "swarm/api", std::chrono::milliseconds(0)); }), ExitCode::Ok);
}

class ServiceLock : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("concierge-lock-test-" + std::to_string(::getpid()));
        ctx_.environment["CONCIERGE_LOCK_DIR"] = dir_.string();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    ExitCode lock_code(std::string* message = nullptr) {
        return code_of([&] { scaling::ServiceLock lock(ctx_, "compose/p/web"); }, message);
    }

    std::filesystem::path dir_;
    test::FakeContext ctx_;
};

TEST_F(ServiceLock, HoldsAnExclusiveFlockUntilDestroyed) {
    auto lock = std::make_unique<scaling::ServiceLock>(ctx_, "compose/p/web");
    const auto file = dir_ / "compose_p_web.lock";
    EXPECT_TRUE(locked_elsewhere(file));
    EXPECT_EQ(std::filesystem::status(dir_).permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_all);
    lock.reset();
    EXPECT_FALSE(locked_elsewhere(file));
}

TEST_F(ServiceLock, LockTimeoutEndsTheWaitWithAConflict) {
    scaling::ServiceLock held(ctx_, "compose/p/web");
    ctx_.options["lock-timeout"] = "200";  // milliseconds, as the core hands durations over
    std::string message;
    EXPECT_EQ(lock_code(&message), ExitCode::Conflict);
    EXPECT_NE(message.find("another run is still scaling compose/p/web after --lock-timeout"), std::string::npos) << message;
}

TEST_F(ServiceLock, DirectoryOthersCanUseIsRefused) {
    std::filesystem::create_directories(dir_);
    std::filesystem::permissions(dir_, std::filesystem::perms::all);
    std::string message;
    EXPECT_EQ(lock_code(&message), ExitCode::Failure);
    EXPECT_NE(message.find("others can use it; chmod 700 it"), std::string::npos) << message;
}

TEST_F(ServiceLock, DirectoryThatIsASymlinkIsRefused) {
    const auto real = dir_.string() + "-real";
    std::filesystem::create_directory(real);
    std::filesystem::permissions(real, std::filesystem::perms::owner_all);
    std::filesystem::create_directory_symlink(real, dir_);
    std::string message;
    EXPECT_EQ(lock_code(&message), ExitCode::Failure);
    EXPECT_NE(message.find("it is not a directory"), std::string::npos) << message;
    std::filesystem::remove(dir_);
    std::filesystem::remove_all(real);
}

TEST_F(ServiceLock, LockFileThatIsASymlinkIsNotFollowed) {
    std::filesystem::create_directory(dir_);
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
    const auto victim = dir_ / "victim";
    std::filesystem::create_symlink(victim, dir_ / "compose_p_web.lock");
    std::string message;
    EXPECT_EQ(lock_code(&message), ExitCode::Failure);
    EXPECT_NE(message.find("it is a symbolic link"), std::string::npos) << message;
    EXPECT_FALSE(std::filesystem::exists(victim));
}

TEST(ServiceLockPlace, IsTheSameWhateverXdgRuntimeDirAndTmpdirSay) {
    test::FakeContext shell, cron;
    shell.environment["XDG_RUNTIME_DIR"] = "/run/user/" + std::to_string(::geteuid());
    shell.environment["TMPDIR"] = "/var/tmp";
    const std::string key = "compose/place-test-" + std::to_string(::getpid()) + "/web";
    const auto file = std::filesystem::path(::geteuid() == 0 ? "/run/concierge" : "/tmp/concierge-" + std::to_string(::geteuid())) /
                      (scaling::file_name_for(key) + ".lock");
    {
        scaling::ServiceLock from_shell(shell, key);
        EXPECT_TRUE(locked_elsewhere(file));
        cron.options["lock-timeout"] = "0";
        EXPECT_EQ(code_of([&] { scaling::ServiceLock from_cron(cron, key); }), ExitCode::Conflict);
    }
    std::filesystem::remove(file);
}

// ---- Compose names, listing and clones ---------------------------------------------------------

TEST(NameSeparator, V1UnderscoreAndV2Dash) {
    EXPECT_EQ(compose::name_separator("concierge-demo_web_1", "concierge-demo", "web"), "_");
    EXPECT_EQ(compose::name_separator("concierge-demo-web-12", "concierge-demo", "web"), "-");
    EXPECT_EQ(compose::replica_name("p", "web", "_", 3), "p_web_3");
    EXPECT_EQ(compose::replica_name("p", "web", "-", 3), "p-web-3");
}

TEST(NameSeparator, ContainerNameSetIsRefused) {
    EXPECT_EQ(code_of([] { compose::name_separator("my-web", "p", "web"); }), ExitCode::Conflict);
    EXPECT_EQ(code_of([] { compose::name_separator("p_web_x", "p", "web"); }), ExitCode::Conflict);
}

TEST(ListPath, FiltersByProjectServiceAndNotOneOff) {
    const std::string path = compose::list_path("demo", std::string("web"));
    EXPECT_EQ(path.rfind("/containers/json?all=1&filters=", 0), 0u) << path;
    std::string decoded;
    Poco::URI::decode(path.substr(path.find("filters=") + 8), decoded);
    EXPECT_EQ(decoded, R"({"label":["com.docker.compose.project=demo","com.docker.compose.oneoff=False","com.docker.compose.service=web"]})");
}

TEST(ParseContainers, SortedByServiceThenNumberWithPorts) {
    const auto containers = compose::parse_containers(R"([
      {"Id":"b","Names":["/p_web_10"],"Image":"img","State":"running","Status":"Up 1 second","Created":100,
       "Ports":[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},{"IP":"::","PrivatePort":80,"PublicPort":8080,"Type":"tcp"}],
       "Labels":{"com.docker.compose.service":"web","com.docker.compose.container-number":"10"}},
      {"Id":"a","Names":["/p_web_2"],"Image":"img","State":"exited","Status":"Exited 0","Created":50,"Ports":[],
       "Labels":{"com.docker.compose.service":"web","com.docker.compose.container-number":"2"}},
      {"Id":"c","Names":["/p_db_1"],"Image":"pg","State":"running","Status":"Up","Created":10,"Ports":[{"PrivatePort":5432,"Type":"tcp"}],
       "Labels":{"com.docker.compose.service":"db","com.docker.compose.container-number":"1"}}])");
    ASSERT_EQ(containers.size(), 3u);
    EXPECT_EQ(containers[0].name, "p_db_1");
    EXPECT_EQ(containers[0].ports, "5432/tcp");
    EXPECT_EQ(containers[1].number, 2);
    EXPECT_EQ(containers[2].number, 10);
    EXPECT_EQ(containers[2].ports, "0.0.0.0:8080->80/tcp, :::8080->80/tcp");  // as docker ps shows them
}

// What the engine answers about a container is checked before it is used: the number names the
// next replica, the id goes into /containers/ID/stop.
TEST(ParseContainers, ANumberOutOfRangeOrMissingIdIsTheEnginesError) {
    const auto with = [](const std::string& id, const std::string& number) {
        return R"([{"Id":")" + id + R"(","Names":["/p_web_1"],"Labels":{"com.docker.compose.service":"web",)" +
               R"("com.docker.compose.container-number":")" + number + "\"}}]";
    };
    std::string message;
    EXPECT_EQ(code_of([&] { compose::parse_containers(with("a", "100000000000000000000000")); }, &message), ExitCode::RemoteError);
    EXPECT_NE(message.find("p_web_1 with com.docker.compose.container-number '100000000000000000000000'"), std::string::npos) << message;
    EXPECT_EQ(code_of([&] { compose::parse_containers(with("a", "-3")); }), ExitCode::RemoteError);
    EXPECT_EQ(code_of([&] { compose::parse_containers(with("a", "2x")); }), ExitCode::RemoteError);
    EXPECT_EQ(code_of([&] { compose::parse_containers(with("", "1")); }, &message), ExitCode::RemoteError);
    EXPECT_NE(message.find("without an Id (p_web_1)"), std::string::npos) << message;
    EXPECT_EQ(code_of([&] { compose::parse_containers(R"([{"Id":"a","Ports":[null]}])"); }), ExitCode::RemoteError);
    EXPECT_EQ(code_of([&] { compose::parse_containers("[1]"); }), ExitCode::RemoteError);
    EXPECT_EQ(compose::parse_containers(with("a", "2147483647")).front().number, 2147483647);
}

TEST(PathSegment, RefusesWhatCouldReachAnotherEndpoint) {
    EXPECT_EQ(engine_json::path_segment("3f4e9a0c1b2d", "container id"), "3f4e9a0c1b2d");
    EXPECT_EQ(engine_json::path_segment("shop_default", "network name"), "shop_default");
    EXPECT_EQ(engine_json::path_segment("my.net-1", "network name"), "my.net-1");
    for (const std::string hostile : {"../../services/x", "a/b", "..", ".hidden", "a?force=1", "a%2Fb", "a\x1b[2J", "", "a b"})
        EXPECT_EQ(code_of([&] { engine_json::path_segment(hostile, "container id"); }), ExitCode::RemoteError) << hostile;
    std::string message;
    code_of([] { engine_json::path_segment("x\x1b]0;pwned\x07/..", "container id"); }, &message);
    EXPECT_EQ(message, "the Docker engine gave container id 'x/..', which is not an id or name it makes; refusing to put it "
                       "into a request");
}

TEST(ToRemove, HighestNumbersFirst) {
    std::vector<compose::Container> containers(5);
    for (int i = 0; i < 5; ++i) containers[static_cast<std::size_t>(i)].number = (i * 3) % 5 + 1;  // 1 4 2 5 3
    const auto victims = compose::to_remove(containers, 2);
    ASSERT_EQ(victims.size(), 2u);
    EXPECT_EQ(victims[0].number, 5);
    EXPECT_EQ(victims[1].number, 4);
}

const char* inspected_web = R"({
  "Id": "8a12bf56e6fe1234567890",
  "Name": "/demo_web_1",
  "Config": {"Hostname": "8a12bf56e6fe", "Image": "localbusybox:latest", "Cmd": ["httpd", "-f"], "Env": ["PATH=/bin"],
             "Labels": {"com.docker.compose.config-hash": "9d96", "com.docker.compose.container-number": "1",
                        "com.docker.compose.oneoff": "False", "com.docker.compose.project": "demo",
                        "com.docker.compose.service": "web", "com.docker.compose.version": "1.29.2", "mine": "kept"}},
  "HostConfig": {"NetworkMode": "demo_default", "Init": true, "ShmSize": 67108864},
  "NetworkSettings": {"Networks": {
      "demo_back": {"Aliases": ["8a12bf56e6fe", "web", "www"], "IPAMConfig": {"IPv4Address": "10.0.0.9"}},
      "demo_default": {"Aliases": ["8a12bf56e6fe", "web"], "Links": null}}}
})";

TEST(CloneSpec, KeepsConfigHostConfigAndEveryLabelWithTheNewNumber) {
    const auto spec = compose::clone_spec(inspected_web, 4);
    auto body = Poco::JSON::Parser().parse(spec.body).extract<Object::Ptr>();
    EXPECT_FALSE(body->has("Hostname"));  // made from the old id: the clone gets its own
    EXPECT_EQ(body->getValue<std::string>("Image"), "localbusybox:latest");
    EXPECT_EQ(body->getArray("Cmd")->size(), 2u);
    auto labels = body->getObject("Labels");
    EXPECT_EQ(labels->getValue<std::string>("com.docker.compose.container-number"), "4");
    EXPECT_EQ(labels->getValue<std::string>("com.docker.compose.config-hash"), "9d96");
    EXPECT_EQ(labels->getValue<std::string>("com.docker.compose.oneoff"), "False");
    EXPECT_EQ(labels->getValue<std::string>("mine"), "kept");
    EXPECT_TRUE(body->getObject("HostConfig")->getValue<bool>("Init"));
    EXPECT_EQ(body->getObject("HostConfig")->getValue<std::int64_t>("ShmSize"), 67108864);
}

TEST(CloneSpec, NetworkModeNetworkAtCreationOthersAfterWithServiceAliases) {
    const auto spec = compose::clone_spec(inspected_web, 2);
    auto body = Poco::JSON::Parser().parse(spec.body).extract<Object::Ptr>();
    auto endpoints = body->getObject("NetworkingConfig")->getObject("EndpointsConfig");
    ASSERT_EQ(endpoints->size(), 1u);
    auto aliases = endpoints->getObject("demo_default")->getArray("Aliases");
    ASSERT_EQ(aliases->size(), 1u);
    EXPECT_EQ(aliases->getElement<std::string>(0), "web");
    ASSERT_EQ(spec.more_networks.size(), 1u);
    EXPECT_EQ(spec.more_networks[0].name, "demo_back");
    EXPECT_EQ(spec.more_networks[0].endpoint, R"({"Aliases":["web","www"]})");  // no fixed address, no old id
}

TEST(CloneSpec, ExplicitHostNameKept) {
    std::string json = inspected_web;
    json.replace(json.find("\"Hostname\": \"8a12bf56e6fe\""), 26, "\"Hostname\": \"fixed-name\"");
    auto body = Poco::JSON::Parser().parse(compose::clone_spec(json, 2).body).extract<Object::Ptr>();
    EXPECT_EQ(body->getValue<std::string>("Hostname"), "fixed-name");
}

// ---- Swarm ------------------------------------------------------------------------------------

TEST(SwarmService, ReplicatedAndGlobal) {
    auto replicated = swarm::parse_service(
        R"({"ID":"s1","Version":{"Index":11},"Spec":{"Name":"api","Labels":{"a":"b"},"Mode":{"Replicated":{"Replicas":3}}}})");
    EXPECT_EQ(replicated.id, "s1");
    EXPECT_EQ(replicated.version, 11);
    EXPECT_EQ(replicated.replicas, 3);
    EXPECT_EQ(replicated.mode, "replicated");
    auto global = swarm::parse_service(R"({"ID":"s2","Version":{"Index":4},"Spec":{"Name":"agent","Mode":{"Global":{}}}})");
    EXPECT_FALSE(global.replicas);
    EXPECT_EQ(global.mode, "global");
}

TEST(SwarmService, AHostileInspectIsTheEnginesError) {
    const auto inspect = [](const std::string& id, const std::string& replicas) {
        return R"({"ID":")" + id + R"(","Version":{"Index":1},"Spec":{"Name":"api","Mode":{"Replicated":{"Replicas":)" + replicas +
               "}}}}";
    };
    std::string message;
    EXPECT_EQ(code_of([&] { swarm::parse_service(inspect("s1", "-1")); }, &message), ExitCode::RemoteError);
    EXPECT_NE(message.find("has -1 replicas, a negative count"), std::string::npos) << message;
    EXPECT_EQ(code_of([&] { swarm::parse_service(inspect("s1", "18446744073709551616")); }), ExitCode::RemoteError);
    EXPECT_EQ(code_of([&] { swarm::parse_service(inspect("../../containers/x", "1")); }), ExitCode::RemoteError);
    EXPECT_EQ(code_of([&] { swarm::parse_service(inspect("", "1")); }), ExitCode::RemoteError);
    EXPECT_EQ(code_of([] { swarm::parse_service(R"({"ID":"s1","Version":{"Index":1}})"); }), ExitCode::RemoteError);
    EXPECT_EQ(code_of([] { swarm::parse_service(R"({"ID":"s1","Version":{"Index":"x"},"Spec":{}})"); }), ExitCode::RemoteError);
    EXPECT_EQ(code_of([] { swarm::parse_service("[]"); }), ExitCode::RemoteError);
    EXPECT_EQ(code_of([] { swarm::parse_tasks("[null]"); }), ExitCode::RemoteError);
    EXPECT_EQ(code_of([] { swarm::parse_tasks("{}"); }), ExitCode::RemoteError);
}

TEST(SwarmService, WithReplicasChangesOnlyTheCount) {
    const auto spec = swarm::with_replicas(R"({"Name":"api","Labels":{"a":"b"},"Mode":{"Replicated":{"Replicas":1}}})", 7);
    auto object = Poco::JSON::Parser().parse(spec).extract<Object::Ptr>();
    EXPECT_EQ(object->getObject("Mode")->getObject("Replicated")->getValue<std::int64_t>("Replicas"), 7);
    EXPECT_EQ(object->getObject("Labels")->getValue<std::string>("a"), "b");
    EXPECT_EQ(object->getValue<std::string>("Name"), "api");
}

TEST(SwarmTasks, StatesAndMessagesBySlot) {
    const auto tasks = swarm::parse_tasks(R"([
      {"ID":"t2","Slot":2,"Status":{"State":"rejected","Message":"preparing","Err":"no such image"}},
      {"ID":"t1","Slot":1,"Status":{"State":"running","Message":"started"}}])");
    ASSERT_EQ(tasks.size(), 2u);
    EXPECT_EQ(tasks[0].state, "running");
    EXPECT_EQ(tasks[0].message, "started");
    EXPECT_EQ(tasks[1].message, "no such image");
    EXPECT_TRUE(swarm::is_out_of_sequence("rpc error: code = Unknown desc = update out of sequence"));
    EXPECT_FALSE(swarm::is_out_of_sequence("service not found"));
}

TEST(SwarmTasks, ConvergedOnlyWhenTasksBeingRemovedHaveStopped) {
    std::vector<swarm::Task> tasks{{"a", 1, "running", "running", ""}, {"b", 2, "running", "shutdown", ""}};
    EXPECT_FALSE(swarm::converged(tasks, 1));  // b still runs
    tasks[1].state = "shutdown";
    EXPECT_TRUE(swarm::converged(tasks, 1));
    tasks.push_back({"c", 2, "preparing", "running", ""});
    EXPECT_FALSE(swarm::converged(tasks, 2));  // c does not run yet
    tasks[2].state = "running";
    EXPECT_TRUE(swarm::converged(tasks, 2));
}

}  // namespace
}  // namespace concierge
