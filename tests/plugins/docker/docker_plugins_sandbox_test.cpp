// compose-ps, compose-scale and swarm-scale against the real Docker sandbox
// (scripts/sandbox/docker.sh: dockerd 20.10, docker-compose 1.29 project concierge-demo with web and
// worker, a single-node swarm with concierge-demo-api replicated and concierge-demo-agent global,
// mutual TLS on 127.0.0.1). The built `concierge` runs as a user runs it; docker-compose itself
// checks that what compose-scale made is what Compose would have made. Every test fails, never
// skips, when the sandbox is missing. One test also drives the Swarm helpers against the engine
// directly, to prove the retry trigger matches what the engine really answers.
#include "process_runner.hpp"
#include "swarm.hpp"
#include "../../sandbox/docker_sandbox_env.hpp"

#include <concierge/docker/client.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include <csignal>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

const std::string project = "concierge-demo";
const std::string api_service = "concierge-demo-api";
const std::string agent_service = "concierge-demo-agent";

Poco::Dynamic::Var parse(const std::string& text) { return Poco::JSON::Parser().parse(text); }

class DockerSandbox : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* name : {"DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "COMPOSE_PROJECT_NAME",
                                 "DOCKER_CLIENT_TIMEOUT", "COMPOSE_HTTP_TIMEOUT"})
            ::unsetenv(name);
        vars_ = docker_sandbox_variables(SOURCE_DIR);
        ASSERT_TRUE(vars_.count("CONCIERGE_DOCKER_SOCKET") && vars_.count("CONCIERGE_DEMO_COMPOSE_FILE"))
            << "scripts/sandbox/docker.sh env gave nothing: is the Docker sandbox there?";
        socket_ = vars_["CONCIERGE_DOCKER_SOCKET"];
        int ping = -1;
        const std::string pong = shell("curl -s --max-time 5 --unix-socket '" + socket_ + "' http://localhost/_ping", &ping);
        ASSERT_EQ(pong, "OK") << "no Docker engine answers on " << socket_ << ": run `bash scripts/sandbox/docker.sh up`";
        sandbox_.env.erase("CONCIERGE_PLUGIN_PATH");  // the build tree's own plugins
        sandbox_.env["DOCKER_HOST"] = "unix://" + socket_;
        sandbox_.env["CONCIERGE_LOCK_DIR"] = (sandbox_.dir() / "locks").string();
        docker_ = "DOCKER_HOST=unix://" + socket_ + " ";
    }

    ProcessResult concierge(const std::vector<std::string>& args) { return run_concierge(args, sandbox_.env); }

    /// docker-compose on the sandbox's project, run from its folder as a user would.
    std::string compose(const std::string& args, int* status = nullptr) {
        const fs::path file = vars_["CONCIERGE_DEMO_COMPOSE_FILE"];
        return shell("cd '" + file.parent_path().string() + "' && " + docker_ + "docker-compose -p " + project + " -f '" +
                         file.string() + "' " + args + " 2>&1",
                     status);
    }

    /// Names and ids of the project's containers of `service`, through the docker CLI.
    std::map<std::string, std::string> containers(const std::string& service) {
        std::map<std::string, std::string> names;
        std::istringstream lines(shell(docker_ + "docker ps -a --no-trunc --format '{{.Names}} {{.ID}}' --filter label=com.docker.compose.project=" +
                                       project + " --filter label=com.docker.compose.service=" + service));
        for (std::string name, id; lines >> name >> id;) names[name] = id;
        return names;
    }

    /// The service's containers as `docker-compose ps --services`-independent names: column 1 of `ps`.
    std::set<std::string> compose_ps_names(const std::string& service) {
        std::set<std::string> names;
        std::istringstream lines(compose("ps " + service));
        for (std::string line; std::getline(lines, line);)
            if (line.rfind(project + "_" + service + "_", 0) == 0) names.insert(line.substr(0, line.find(' ')));
        return names;
    }

    /// The newest run in history, as `history --output json` shows it.
    Object::Ptr last_run() {
        const auto result = concierge({"history", "--limit", "1", "--output", "json"});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return parse(result.out).extract<Array::Ptr>()->getObject(0);
    }

    /// A failed run: the exit code, a one-line message with `text`, and the run in history.
    void expect_failure(const ProcessResult& result, int code, const std::string& text) {
        EXPECT_EQ(result.exit_code, code) << result.out << result.err;
        EXPECT_NE(result.err.find(text), std::string::npos) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        auto run = last_run();
        EXPECT_EQ(run->getValue<std::string>("status"), "failed");
        EXPECT_EQ(run->getValue<int>("exit_code"), code);
    }

    void set_tls(const std::string& cert_path) {
        sandbox_.env["DOCKER_HOST"] = "tcp://127.0.0.1:" + vars_["CONCIERGE_DOCKER_TLS_PORT"];
        sandbox_.env["DOCKER_TLS_VERIFY"] = "1";
        sandbox_.env["DOCKER_CERT_PATH"] = cert_path;
    }

    /// A directory like DOCKER_CERT_PATH whose ca.pem is a CA that did not sign the daemon's certificate.
    fs::path wrong_ca_dir() {
        const fs::path dir = sandbox_.dir() / "wrong-ca";
        fs::create_directories(dir);
        const fs::path real = vars_["CONCIERGE_DOCKER_CERT_PATH"];
        fs::copy_file(real / "cert.pem", dir / "cert.pem");
        fs::copy_file(real / "key.pem", dir / "key.pem");
        int status = -1;
        shell("openssl req -x509 -new -nodes -newkey rsa:2048 -days 1 -subj /CN=rogue-ca -keyout '" + (dir / "ca-key.pem").string() +
                  "' -out '" + (dir / "ca.pem").string() + "' >/dev/null 2>&1",
              &status);
        EXPECT_EQ(status, 0);
        return dir;
    }

    /// A unix socket file nobody listens on: what a stopped dockerd leaves behind.
    fs::path dead_socket() {
        const fs::path path = sandbox_.dir() / "dead.sock";
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
        EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        ::close(fd);
        return path;
    }

    std::map<std::string, std::string> vars_;
    std::string socket_;
    std::string docker_;
    Sandbox sandbox_;
};

// ---- compose-ps ----------------------------------------------------------------------------

class ComposePs : public DockerSandbox {
protected:
    void SetUp() override {
        DockerSandbox::SetUp();
        int status = -1;
        const std::string out = compose("up -d --no-recreate --scale web=1 --scale worker=1", &status);
        ASSERT_EQ(status, 0) << out;
    }

    /// compose-ps --output json: name -> object.
    std::map<std::string, Object::Ptr> listed(const ProcessResult& result) {
        EXPECT_EQ(result.exit_code, 0) << result.err;
        std::map<std::string, Object::Ptr> rows;
        auto array = parse(result.out).extract<Array::Ptr>();
        for (std::size_t i = 0; i < array->size(); ++i) {
            auto row = array->getObject(static_cast<unsigned>(i));
            rows[row->getValue<std::string>("name")] = row;
        }
        return rows;
    }
};

TEST_F(ComposePs, ListsEveryServiceWithTheDocumentedJsonKeys) {
    const auto rows = listed(concierge({"compose-ps", "--project", project, "--output", "json"}));
    ASSERT_EQ(rows.size(), 2u);
    const auto& web = rows.at(project + "_web_1");
    std::set<std::string> keys;
    for (const auto& [key, value] : *web) keys.insert(key);
    EXPECT_EQ(keys, (std::set<std::string>{"name", "service", "replica", "state", "status", "image", "created", "ports", "id"}));
    EXPECT_EQ(web->getValue<std::string>("service"), "web");
    EXPECT_EQ(web->getValue<int>("replica"), 1);
    EXPECT_EQ(web->getValue<std::string>("state"), "running");
    EXPECT_EQ(web->getValue<std::string>("image"), "localbusybox:latest");
    EXPECT_EQ(web->getValue<std::string>("id"), containers("web").at(project + "_web_1").substr(0, 12));
    EXPECT_EQ(rows.at(project + "_worker_1")->getValue<std::string>("service"), "worker");
}

TEST_F(ComposePs, OneServiceWithTheProjectFromComposeProjectName) {
    sandbox_.env["COMPOSE_PROJECT_NAME"] = project;
    const auto rows = listed(concierge({"compose-ps", "worker", "--output", "json"}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_TRUE(rows.count(project + "_worker_1"));
}

TEST_F(ComposePs, OverMutualTlsListsTheSame) {
    set_tls(vars_["CONCIERGE_DOCKER_CERT_PATH"]);
    const auto rows = listed(concierge({"compose-ps", "--project", project, "--output", "json"}));
    EXPECT_EQ(rows.size(), 2u);
}

TEST_F(ComposePs, UnknownProjectIsNotFound) {
    expect_failure(concierge({"compose-ps", "--project", "no-such-project"}), 11, "no containers of Compose project 'no-such-project'");
}

TEST_F(ComposePs, UnknownServiceNamesTheServicesThereAre) {
    expect_failure(concierge({"compose-ps", "nosuch", "--project", project}), 11, "has no service 'nosuch' (it has: web, worker)");
}

TEST_F(ComposePs, NoProjectIsAUsageError) {
    expect_failure(concierge({"compose-ps"}), 2, "COMPOSE_PROJECT_NAME");
}

TEST_F(ComposePs, DaemonDownIsUnreachable) {
    sandbox_.env["DOCKER_HOST"] = "unix://" + dead_socket().string();
    expect_failure(concierge({"compose-ps", "--project", project}), 7, "cannot reach the Docker engine");
}

TEST_F(ComposePs, WrongCaIsATlsFailure) {
    set_tls(wrong_ca_dir().string());
    expect_failure(concierge({"compose-ps", "--project", project}), 8, "certificate verify failed");
}

TEST_F(ComposePs, ClientCertificateNotSignedByTheDaemonsCaIsATlsFailure) {
    const fs::path dir = wrong_ca_dir();
    fs::copy_file(fs::path(vars_["CONCIERGE_DOCKER_CERT_PATH"]) / "ca.pem", dir / "ca.pem", fs::copy_options::overwrite_existing);
    int status = -1;
    shell("openssl req -x509 -new -nodes -newkey rsa:2048 -days 1 -subj /CN=rogue -keyout '" + (dir / "key.pem").string() +
              "' -out '" + (dir / "cert.pem").string() + "' >/dev/null 2>&1",
          &status);
    ASSERT_EQ(status, 0);
    set_tls(dir.string());
    expect_failure(concierge({"compose-ps", "--project", project}), 8, "TLS");
}

// ---- compose-scale ---------------------------------------------------------------------------

using ComposeScale = ComposePs;  // every test starts from web=1, worker=1

TEST_F(ComposeScale, SeedShapeAddsReplicasThatDockerComposeListsAndLeavesAlone) {
    const auto before = containers("web");
    const auto result = concierge({"compose-scale", "up", "web", "1", "2", "--project", project});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("scaled from 1 to 3"), std::string::npos) << result.out;

    const auto after = containers("web");
    ASSERT_EQ(after.size(), 3u);
    EXPECT_EQ(after.at(project + "_web_1"), before.at(project + "_web_1"));
    EXPECT_EQ(compose_ps_names("web"), (std::set<std::string>{project + "_web_1", project + "_web_2", project + "_web_3"}));
    // Every compose label, config-hash included, and the next numbers.
    for (int n = 2; n <= 3; ++n) {
        const std::string name = project + "_web_" + std::to_string(n);
        const std::string format = "'{{index .Config.Labels \"com.docker.compose.config-hash\"}} "
                                   "{{index .Config.Labels \"com.docker.compose.container-number\"}} {{.State.Status}}'";
        const std::string labels = shell(docker_ + "docker inspect --format " + format + " " + name);
        const std::string model = shell(docker_ + "docker inspect --format " + format + " " + project + "_web_1");
        EXPECT_EQ(labels.substr(0, labels.find(' ')), model.substr(0, model.find(' ')));
        EXPECT_NE(labels.find(" " + std::to_string(n) + " running"), std::string::npos) << labels;
        // The service name is a network alias, so the replica answers to "web" like Compose's own.
        const std::string aliases = shell(docker_ + "docker inspect --format '{{json .NetworkSettings.Networks}}' " + name);
        EXPECT_NE(aliases.find("\"web\""), std::string::npos) << aliases;
    }

    // Compose with --scale at the current count recognises them as its own: same containers.
    int status = -1;
    const std::string out = compose("up -d --no-recreate --scale web=3", &status);
    ASSERT_EQ(status, 0) << out;
    EXPECT_EQ(containers("web"), after);
}

TEST_F(ComposeScale, ScaleDownRemovesTheHighestNumbersAndDockerComposePsAgrees) {
    ASSERT_EQ(concierge({"compose-scale", "web", "--replicas", "4", "--project", project}).exit_code, 0);
    const auto result = concierge({"compose-scale", "down", "web", "4", "2", "--project", project, "--stop-timeout", "2s"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::set<std::string> names;
    for (const auto& [name, id] : containers("web")) names.insert(name);
    const std::set<std::string> expected{project + "_web_1", project + "_web_2"};
    EXPECT_EQ(names, expected);
    EXPECT_EQ(compose_ps_names("web"), expected);
}

TEST_F(ComposeScale, DockerComposeDownRemovesTheReplicasItDidNotMake) {
    ASSERT_EQ(concierge({"compose-scale", "web", "--replicas", "3", "--project", project}).exit_code, 0);
    int status = -1;
    std::string out = compose("down -t 1", &status);
    ASSERT_EQ(status, 0) << out;
    EXPECT_TRUE(containers("web").empty());
    out = compose("up -d", &status);  // the project as the sandbox made it, for the next test
    ASSERT_EQ(status, 0) << out;
}

TEST_F(ComposeScale, CurrentMismatchIsRefusedWithTheActualCountAndNothingChanges) {
    const auto before = containers("web");
    expect_failure(concierge({"compose-scale", "up", "web", "3", "1", "--project", project}), 10, "has 1 replicas, not 3");
    EXPECT_EQ(containers("web"), before);
}

TEST_F(ComposeScale, ForceAppliesTheDeltaToTheActualCount) {
    const auto result = concierge({"compose-scale", "up", "web", "3", "1", "--force", "--project", project});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(containers("web").size(), 2u);
}

TEST_F(ComposeScale, TwoAlertsWithTheSameCurrentScaleOnce) {
    Process first({"compose-scale", "up", "web", "1", "1", "--project", project}, sandbox_.env);
    Process second({"compose-scale", "up", "web", "1", "1", "--project", project}, sandbox_.env);
    const auto a = first.finish();
    const auto b = second.finish();
    EXPECT_EQ(std::min(a.exit_code, b.exit_code), 0) << a.err << b.err;
    EXPECT_EQ(std::max(a.exit_code, b.exit_code), 10) << a.err << b.err;
    EXPECT_EQ(containers("web").size(), 2u);
}

// The holder is a real run: worker's `sleep` runs as PID 1 and ignores SIGTERM, so scaling it down
// takes the whole --stop-timeout, with the lock held.
TEST_F(ComposeScale, ARunWaitsForAnotherRunOnTheSameServiceAndCtrlCEndsTheWait) {
    ASSERT_EQ(concierge({"compose-scale", "worker", "--replicas", "2", "--project", project}).exit_code, 0);
    Process holder({"--verbose", "compose-scale", "worker", "--replicas", "1", "--stop-timeout", "10s", "--project", project},
                   sandbox_.env);
    ASSERT_TRUE(holder.wait_for_stderr("holding the lock on compose/" + project + "/worker", 30000));
    Process waiting({"compose-scale", "up", "worker", "2", "1", "--project", project}, sandbox_.env);
    EXPECT_TRUE(waiting.wait_for_stderr("waiting for another run scaling compose/" + project + "/worker", 30000));
    waiting.signal(SIGINT);
    const auto result = waiting.finish();
    EXPECT_EQ(result.exit_code, 130) << result.err;
    const auto held = holder.finish();
    EXPECT_EQ(held.exit_code, 0) << held.err;
    EXPECT_EQ(containers("worker").size(), 1u);
}

TEST_F(ComposeScale, BelowZeroIsAUsageError) {
    expect_failure(concierge({"compose-scale", "down", "web", "1", "2", "--project", project}), 2, "below zero");
}

TEST_F(ComposeScale, ZeroNeedsAllowZero) {
    expect_failure(concierge({"compose-scale", "down", "web", "1", "1", "--project", project}), 10, "--allow-zero");
    const auto result = concierge({"compose-scale", "down", "web", "1", "1", "--allow-zero", "--project", project, "--stop-timeout", "2s"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(containers("web").empty());
}

TEST_F(ComposeScale, MaxCapsTheTarget) {
    const auto result = concierge({"compose-scale", "web", "--replicas", "9", "--max", "2", "--project", project});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("capped by --max 2"), std::string::npos) << result.out;
    EXPECT_EQ(containers("web").size(), 2u);
}

TEST_F(ComposeScale, CooldownRefusesASecondScaleOfTheSameServiceOnly) {
    ASSERT_EQ(concierge({"compose-scale", "web", "--replicas", "2", "--project", project}).exit_code, 0);
    expect_failure(concierge({"compose-scale", "web", "--replicas", "3", "--cooldown", "1h", "--project", project}), 10,
                   "within --cooldown");
    EXPECT_EQ(containers("web").size(), 2u);
    EXPECT_EQ(concierge({"compose-scale", "worker", "--replicas", "2", "--cooldown", "1h", "--project", project}).exit_code, 0);
}

TEST_F(ComposeScale, UnknownServiceSuggestsCreatingItWithCompose) {
    expect_failure(concierge({"compose-scale", "up", "nosuch", "1", "1", "--project", project}), 11, "docker-compose up -d nosuch");
}

TEST_F(ComposeScale, UnknownProjectIsNotFound) {
    expect_failure(concierge({"compose-scale", "web", "--replicas", "2", "--project", "no-such-project"}), 11, "no-such-project");
}

TEST_F(ComposeScale, DaemonDownIsUnreachable) {
    sandbox_.env["DOCKER_HOST"] = "unix://" + dead_socket().string();
    expect_failure(concierge({"compose-scale", "up", "web", "1", "1", "--project", project}), 7, "cannot reach the Docker engine");
}

TEST_F(ComposeScale, OverMutualTls) {
    set_tls(vars_["CONCIERGE_DOCKER_CERT_PATH"]);
    const auto result = concierge({"compose-scale", "up", "web", "1", "2", "--project", project});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(containers("web").size(), 3u);
}

TEST_F(ComposeScale, WrongCaIsATlsFailure) {
    set_tls(wrong_ca_dir().string());
    expect_failure(concierge({"compose-scale", "up", "web", "1", "1", "--project", project}), 8, "certificate verify failed");
}

// ---- swarm-scale -----------------------------------------------------------------------------

class SwarmScale : public DockerSandbox {
protected:
    void SetUp() override {
        DockerSandbox::SetUp();
        int status = -1;
        const std::string out = shell(docker_ + "docker service update --detach --replicas 1 " + api_service + " 2>&1", &status);
        ASSERT_EQ(status, 0) << out;
    }

    /// Tasks of the service that run, from the docker CLI.
    int running_tasks() {
        const std::string out = shell(docker_ + "docker service ps " + api_service + " --filter desired-state=running --format '{{.CurrentState}}'");
        int running = 0;
        std::istringstream lines(out);
        for (std::string line; std::getline(lines, line);) running += line.rfind("Running", 0) == 0;
        return running;
    }

    std::string replicas() {
        return shell(docker_ + "docker service inspect --format '{{.Spec.Mode.Replicated.Replicas}}' " + api_service);
    }

    /// A service of the test's own, with no replicas, whose tasks no node can take.
    std::string unplaceable_service(const std::string& prefix) {
        const std::string name = prefix + "-" + std::to_string(::getpid());
        int status = -1;
        const std::string out = shell(docker_ + "docker service create --detach --no-resolve-image --name " + name +
                                          " --constraint node.labels.concierge==nowhere --replicas 0 localbusybox:latest sleep 3600 2>&1",
                                      &status);
        EXPECT_EQ(status, 0) << out;
        return name;
    }
};

TEST_F(SwarmScale, SeedShapeWaitsUntilEveryTaskRuns) {
    const auto result = concierge({"swarm-scale", "up", api_service, "1", "2"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("scaled from 1 to 3 replicas, all running"), std::string::npos) << result.out;
    EXPECT_EQ(replicas(), "3\n");
    EXPECT_EQ(running_tasks(), 3);  // right after the run: it waited
}

TEST_F(SwarmScale, ReplicasShapeOverMutualTls) {
    set_tls(vars_["CONCIERGE_DOCKER_CERT_PATH"]);
    const auto result = concierge({"swarm-scale", api_service, "--replicas", "2"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(running_tasks(), 2);
}

TEST_F(SwarmScale, DetachSetsTheCountWithoutWaiting) {
    const auto result = concierge({"swarm-scale", api_service, "--replicas", "2", "--detach", "--output", "json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("\"state\":\"detached\""), std::string::npos) << result.out;
    EXPECT_EQ(replicas(), "2\n");
}

TEST_F(SwarmScale, TasksThatCannotRunAreNamedAtTheTimeout) {
    const std::string name = unplaceable_service("concierge-test-unplaceable");
    expect_failure(concierge({"swarm-scale", name, "--replicas", "2", "--timeout", "2s"}), 1,
                   "has 0 of 2 tasks running after 2 s (task 1 pending (should be running): no suitable node");
    shell(docker_ + "docker service rm " + name + " >/dev/null 2>&1");
}

// The holder waits for tasks that never run, so it keeps the lock until Ctrl-C. It runs with a
// shell's XDG_RUNTIME_DIR and TMPDIR, the others with cron's bare environment: one lock for both.
TEST_F(SwarmScale, ARunFromCronWaitsForARunFromAShellUpToLockTimeout) {
    const std::string name = unplaceable_service("concierge-test-locked");
    auto shell_env = sandbox_.env;
    shell_env.erase("CONCIERGE_LOCK_DIR");
    shell_env["XDG_RUNTIME_DIR"] = (sandbox_.dir() / "runtime").string();
    shell_env["TMPDIR"] = (sandbox_.dir() / "tmp").string();
    fs::create_directories(shell_env["XDG_RUNTIME_DIR"]);
    fs::create_directories(shell_env["TMPDIR"]);
    auto cron_env = sandbox_.env;
    for (const char* variable : {"CONCIERGE_LOCK_DIR", "XDG_RUNTIME_DIR", "TMPDIR"}) cron_env.erase(variable);

    Process holder({"--verbose", "swarm-scale", name, "--replicas", "1", "--timeout", "2m"}, shell_env);
    ASSERT_TRUE(holder.wait_for_stderr("holding the lock on swarm/" + name, 30000));
    const auto timed_out = run_concierge({"swarm-scale", name, "--replicas", "2", "--lock-timeout", "1s"}, cron_env);
    EXPECT_EQ(timed_out.exit_code, 10) << timed_out.err;
    EXPECT_NE(timed_out.err.find("another run is still scaling swarm/" + name + " after --lock-timeout 1 s"), std::string::npos)
        << timed_out.err;
    Process waiting({"swarm-scale", name, "--replicas", "2"}, cron_env);
    EXPECT_TRUE(waiting.wait_for_stderr("waiting for another run scaling swarm/" + name, 30000));
    waiting.signal(SIGINT);
    EXPECT_EQ(waiting.finish().exit_code, 130);
    holder.signal(SIGINT);
    EXPECT_EQ(holder.finish().exit_code, 130);
    EXPECT_EQ(shell(docker_ + "docker service inspect --format '{{.Spec.Mode.Replicated.Replicas}}' " + name), "1\n");
    shell(docker_ + "docker service rm " + name + " >/dev/null 2>&1");
}

TEST_F(SwarmScale, AnUpdateWithAStaleVersionIsRecognisedAsTheRaceToRetry) {
    docker::Client engine(docker::make_settings("unix://" + socket_, "", false));
    auto service = swarm::parse_service(engine.get("/services/" + api_service));
    const auto answer = engine.request("POST", "/services/" + service.id + "/update?version=" + std::to_string(service.version - 1),
                                       swarm::with_replicas(service.spec, 1));
    EXPECT_GE(answer.status, 400);
    EXPECT_TRUE(swarm::is_out_of_sequence(docker::engine_message(answer))) << answer.body;
}

TEST_F(SwarmScale, GlobalServiceIsRefused) {
    expect_failure(concierge({"swarm-scale", agent_service, "--replicas", "2"}), 10, "is a global service");
}

TEST_F(SwarmScale, CurrentMismatchIsRefusedWithTheActualCount) {
    expect_failure(concierge({"swarm-scale", "down", api_service, "2", "1"}), 10, "has 1 replicas, not 2");
    EXPECT_EQ(replicas(), "1\n");
}

TEST_F(SwarmScale, UnknownServiceIsNotFound) {
    expect_failure(concierge({"swarm-scale", "no-such-service", "--replicas", "2"}), 11, "no Swarm service 'no-such-service'");
}

TEST_F(SwarmScale, BelowZeroIsAUsageError) {
    expect_failure(concierge({"swarm-scale", "down", api_service, "1", "5"}), 2, "below zero");
}

TEST_F(SwarmScale, DaemonDownIsUnreachable) {
    sandbox_.env["DOCKER_HOST"] = "unix://" + dead_socket().string();
    expect_failure(concierge({"swarm-scale", api_service, "--replicas", "2"}), 7, "cannot reach the Docker engine");
}

TEST_F(SwarmScale, WrongCaIsATlsFailure) {
    set_tls(wrong_ca_dir().string());
    expect_failure(concierge({"swarm-scale", api_service, "--replicas", "2"}), 8, "certificate verify failed");
}

}  // namespace
}  // namespace concierge::test
