// Unit tests of the Docker client: the options it declares, settings read as docker-compose reads
// them, engine error messages, and a socket nobody listens on. The engine itself, over the unix
// socket and mutual TLS, is tested in client_sandbox_test.cpp.
#include <concierge/docker/client.hpp>

#include "../fake_context.hpp"
#include "fake_server.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

namespace docker = concierge::docker;
using concierge::sdk::ExitCode;

namespace {

namespace fs = std::filesystem;

TEST(ConnectionOptions, DockerVariablesAndSharedConfigSection) {
    std::map<std::string, concierge::sdk::OptionSpec> by_name;
    for (const auto& spec : docker::connection_options()) by_name[spec.name] = spec;
    ASSERT_EQ(by_name.size(), 5u);
    EXPECT_EQ(by_name.at("docker-host").env, "DOCKER_HOST");
    EXPECT_EQ(by_name.at("docker-host").config_key, "docker.host");
    EXPECT_EQ(by_name.at("docker-tls-verify").env, "DOCKER_TLS_VERIFY");
    EXPECT_EQ(by_name.at("docker-cert-path").env, "DOCKER_CERT_PATH");
    EXPECT_EQ(by_name.at("docker-timeout").env, "DOCKER_CLIENT_TIMEOUT,COMPOSE_HTTP_TIMEOUT");
    EXPECT_EQ(by_name.at("docker-timeout").type, concierge::sdk::OptionType::Duration);
    EXPECT_EQ(by_name.at("docker-max-response-mib").env, "DOCKER_MAX_RESPONSE_MIB");
    EXPECT_EQ(by_name.at("docker-max-response-mib").config_key, "docker.max-response-mib");
    EXPECT_EQ(by_name.at("docker-max-response-mib").default_value, "16");
}

class CertDir : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("docker-certs-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        for (const char* name : {"ca.pem", "cert.pem", "key.pem"}) std::ofstream(dir_ / name) << "x";
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(CertDir, TlsVerifyWithCertPathUsesTheThreeFiles) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"docker-host", "tcp://127.0.0.1:2376"}, {"docker-tls-verify", "true"},
                   {"docker-cert-path", dir_.string()}, {"docker-timeout", "800000"}};
    const auto settings = docker::settings_from(ctx);
    EXPECT_TRUE(settings.tls);
    EXPECT_TRUE(settings.tls_verify);
    EXPECT_EQ(settings.ca_file, (dir_ / "ca.pem").string());
    EXPECT_EQ(settings.cert_file, (dir_ / "cert.pem").string());
    EXPECT_EQ(settings.key_file, (dir_ / "key.pem").string());
    EXPECT_EQ(settings.timeout, std::chrono::seconds(800));
    EXPECT_TRUE(ctx.warnings.empty());
}

TEST_F(CertDir, CertPathWithoutVerifyIsTlsWithAWarning) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"docker-host", "tcp://127.0.0.1:2376"}, {"docker-cert-path", dir_.string()}};
    const auto settings = docker::settings_from(ctx);
    EXPECT_TRUE(settings.tls);
    EXPECT_FALSE(settings.tls_verify);
    ASSERT_EQ(ctx.warnings.size(), 1u);
    EXPECT_NE(ctx.warnings[0].find("DOCKER_TLS_VERIFY"), std::string::npos);
}

TEST_F(CertDir, MissingCaIsInvalidInputNamingDockerCertPath) {
    fs::remove(dir_ / "ca.pem");
    try {
        docker::make_settings("tcp://127.0.0.1:2376", dir_.string(), true);
        FAIL() << "accepted a cert path without ca.pem";
    } catch (const concierge::sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::InvalidInput);
        EXPECT_NE(std::string(e.what()).find("DOCKER_CERT_PATH"), std::string::npos) << e.what();
    }
}

TEST(Settings, UnixSocketIgnoresTlsAndOtherSchemesAreUsageErrors) {
    const auto settings = docker::make_settings("unix:///var/run/docker.sock", "/nowhere", true);
    EXPECT_FALSE(settings.tls);
    for (const char* host : {"ssh://u@h", "npipe:////./pipe/docker_engine", "/var/run/docker.sock", ""}) {
        try {
            docker::make_settings(host, "", false);
            ADD_FAILURE() << "accepted " << host;
        } catch (const concierge::sdk::Error& e) {
            EXPECT_EQ(e.code(), ExitCode::Usage) << host;
        }
    }
}

TEST(EngineMessage, TheEnginesOwnMessageOrTheBody) {
    EXPECT_EQ(docker::engine_message({404, R"({"message":"No such container: x"})"}), "No such container: x");
    EXPECT_EQ(docker::engine_message({500, "plain\ntext\n"}), "plain text");
    EXPECT_EQ(docker::engine_message({502, ""}), "HTTP 502");
}

TEST(EngineMessage, TerminalEscapesInTheEnginesMessageAreStripped) {
    EXPECT_EQ(docker::engine_message({500, R"({"message":"\u001b]0;pwned\u0007\u001b[31mno space left\u001b[0m"})"}),
              "no space left");
    EXPECT_EQ(docker::engine_message({500, "\x1b[2Jplain"}), "plain");
}

TEST(ApiError, StatusPicksTheExitCode) {
    EXPECT_EQ(docker::ApiError(404, "m", "w").code(), ExitCode::NotFound);
    EXPECT_EQ(docker::ApiError(409, "m", "w").code(), ExitCode::Conflict);
    EXPECT_EQ(docker::ApiError(500, "m", "w").code(), ExitCode::RemoteError);
    EXPECT_EQ(docker::ApiError(400, "m", "w").engine_message(), "m");
}

TEST(Client, SocketNobodyListensOnIsUnreachable) {
    docker::Client engine(docker::make_settings("unix:///nonexistent/docker.sock", "", false));
    try {
        engine.get("/containers/json");
        FAIL() << "reached a socket that does not exist";
    } catch (const concierge::sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::Unreachable);
        EXPECT_NE(std::string(e.what()).find("unix:///nonexistent/docker.sock"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("DOCKER_HOST"), std::string::npos) << e.what();
    }
}

// tcp:// sessions connect their own socket (so Ctrl-C can end the connection attempt) and are
// kept for the next request.
TEST(EngineOverTcp, RequestsWorkAndReuseTheClientsOwnConnection) {
    concierge::test::FakeServer engine(Poco::Net::SocketAddress("127.0.0.1", 0), [](const concierge::test::Exchange& exchange) {
        if (exchange.uri == "/version") return concierge::test::FakeServer::Reply{200, R"({"ApiVersion":"1.41"})"};
        return concierge::test::FakeServer::Reply{200, "[]"};
    });
    docker::Client client(docker::make_settings("tcp://127.0.0.1:" + std::to_string(engine.port()), "", false));
    EXPECT_EQ(client.get("/containers/json"), "[]");
    EXPECT_EQ(client.get("/services"), "[]");
    const auto exchanges = engine.exchanges();
    ASSERT_EQ(exchanges.size(), 3u);
    EXPECT_EQ(exchanges[2].uri, "/v1.41/services");
    EXPECT_EQ(exchanges[2].peer, exchanges[1].peer) << "a new connection for the second request";
}

}  // namespace
