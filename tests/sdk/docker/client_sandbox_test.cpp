// The Docker client against the real engine of scripts/sandbox/docker.sh, over its unix socket and
// its mutual-TLS port: version negotiation, the engine's own error messages as exit codes, and
// concurrent requests. Without the sandbox every test fails, since a sandbox test that silently
// skips proves nothing.
#include <concierge/docker/client.hpp>

#include "../../sandbox/docker_sandbox_env.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace docker = concierge::docker;
using concierge::sdk::ExitCode;

namespace {

class EngineClient : public ::testing::Test {
protected:
    void SetUp() override {
        auto vars = concierge::test::docker_sandbox_variables(SOURCE_DIR);
        socket_ = vars["CONCIERGE_DOCKER_SOCKET"];
        port_ = vars["CONCIERGE_DOCKER_TLS_PORT"];
        certs_ = vars["CONCIERGE_DOCKER_CERT_PATH"];
        ASSERT_FALSE(socket_.empty() || port_.empty() || certs_.empty())
            << "scripts/sandbox/docker.sh env gave nothing: is the Docker sandbox there?";
    }
    docker::Settings unix_settings() const { return docker::make_settings("unix://" + socket_, "", false); }
    docker::Settings tls_settings() const { return docker::make_settings("tcp://127.0.0.1:" + port_, certs_, true); }

    std::string socket_, port_, certs_;
};

TEST_F(EngineClient, NegotiatesTheLowerOfTheDaemonsAndItsOwnVersion) {
    docker::Client engine(unix_settings());
    const std::string daemon = engine.daemon_api_version();
    EXPECT_EQ(daemon, "1.41");  // dockerd 20.10 in Debian 12
    EXPECT_EQ(engine.api_version(), "1.41");
    EXPECT_NE(engine.get("/version").find("\"ApiVersion\":\"1.41\""), std::string::npos);
}

TEST_F(EngineClient, NotFoundCarriesTheEnginesOwnMessage) {
    docker::Client engine(unix_settings());
    try {
        engine.get("/containers/no-such-container/json");
        FAIL() << "inspected a container that does not exist";
    } catch (const docker::ApiError& e) {
        EXPECT_EQ(e.code(), ExitCode::NotFound);
        EXPECT_EQ(e.http_status(), 404);
        EXPECT_EQ(e.engine_message(), "No such container: no-such-container");
        EXPECT_NE(std::string(e.what()).find("No such container: no-such-container"), std::string::npos) << e.what();
    }
}

TEST_F(EngineClient, NameInUseIsAConflict) {
    docker::Client engine(unix_settings());
    try {
        engine.post("/containers/create?name=concierge-demo_web_1", R"({"Image":"localbusybox:latest"})");
        FAIL() << "created a second container named concierge-demo_web_1";
    } catch (const docker::ApiError& e) {
        EXPECT_EQ(e.code(), ExitCode::Conflict);
        EXPECT_NE(e.engine_message().find("is already in use"), std::string::npos) << e.engine_message();
    }
}

TEST_F(EngineClient, MutualTlsFromManyThreadsAtOnce) {
    docker::Client engine(tls_settings());
    std::atomic<int> answered{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i)
                if (engine.get("/_ping") == "OK") ++answered;
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(answered.load(), 40);
}

TEST_F(EngineClient, TlsWithoutVerificationStillPresentsTheClientCertificate) {
    docker::Client engine(docker::make_settings("tcp://127.0.0.1:" + port_, certs_, false));
    EXPECT_EQ(engine.get("/_ping"), "OK");
}

TEST_F(EngineClient, PlainHttpToTheTlsPortIsRefused) {
    docker::Client engine(docker::make_settings("tcp://127.0.0.1:" + port_, "", false));
    try {
        engine.get("/_ping");
        FAIL() << "plain HTTP reached the mutual-TLS port";
    } catch (const concierge::sdk::Error& e) {
        // The engine's TLS server answers plain HTTP with a 400 and no API version.
        EXPECT_EQ(e.code(), ExitCode::RemoteError) << e.what();
        EXPECT_NE(std::string(e.what()).find("did not say its API version"), std::string::npos) << e.what();
    }
}

}  // namespace
