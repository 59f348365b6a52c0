// Unit tests of the Docker client: the options it declares, settings read as docker-compose reads
// them, engine error messages, and a socket nobody listens on. The engine itself, over the unix
// socket and mutual TLS, is tested in client_sandbox_test.cpp.
#include <concierge/docker/client.hpp>

#include "../fake_context.hpp"
#include "fake_server.hpp"
#include "trickle_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include <unistd.h>

namespace docker = concierge::docker;
using concierge::sdk::ExitCode;

namespace {

namespace fs = std::filesystem;

TEST(ConnectionOptions, DockerVariablesAndSharedConfigSection) {
    std::map<std::string, concierge::sdk::OptionSpec> by_name;
    for (const auto& spec : docker::connection_options()) by_name[spec.name] = spec;
    ASSERT_EQ(by_name.size(), 9u);
    EXPECT_EQ(by_name.at("docker-host").env, "DOCKER_HOST");
    EXPECT_EQ(by_name.at("docker-host").config_key, "docker.host");
    EXPECT_EQ(by_name.at("docker-tls-verify").env, "DOCKER_TLS_VERIFY");
    EXPECT_EQ(by_name.at("docker-cert-path").env, "DOCKER_CERT_PATH");
    EXPECT_EQ(by_name.at("docker-timeout").env, "DOCKER_CLIENT_TIMEOUT,COMPOSE_HTTP_TIMEOUT");
    EXPECT_EQ(by_name.at("docker-timeout").type, concierge::sdk::OptionType::Duration);
    EXPECT_EQ(by_name.at("docker-max-response-mib").env, "DOCKER_MAX_RESPONSE_MIB");
    EXPECT_EQ(by_name.at("docker-max-response-mib").config_key, "docker.max-response-mib");
    EXPECT_EQ(by_name.at("docker-max-response-mib").default_value, "16");
    const std::map<std::string, std::pair<std::string, std::string>> limits = {
        {"docker-max-json-depth", {"DOCKER_MAX_JSON_DEPTH", "512"}},
        {"docker-max-json-items", {"DOCKER_MAX_JSON_ITEMS", "1000000"}},
        {"docker-max-json-string-mib", {"DOCKER_MAX_JSON_STRING_MIB", "4"}},
        {"docker-answer-time-limit", {"DOCKER_ANSWER_TIME_LIMIT", "5m"}}};
    for (const auto& [name, env_and_default] : limits) {
        EXPECT_EQ(by_name.at(name).env, env_and_default.first) << name;
        EXPECT_EQ(by_name.at(name).default_value, env_and_default.second) << name;
        EXPECT_EQ(by_name.at(name).config_key, "docker." + name.substr(7)) << name;
    }
    EXPECT_EQ(by_name.at("docker-answer-time-limit").type, concierge::sdk::OptionType::Duration);
}

TEST(Settings, RunOptionsSetTheJsonLimitsAndTheAnswerTimeLimit) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"docker-max-json-depth", "32"}, {"docker-max-json-items", "500"}, {"docker-max-json-string-mib", "1"},
                   {"docker-answer-time-limit", "20000"}};
    auto settings = docker::make_settings("unix:///run/docker.sock", "", false);
    docker::apply_run_options(settings, ctx);
    EXPECT_EQ(settings.max_json_depth, 32u);
    EXPECT_EQ(settings.max_json_items, 500u);
    EXPECT_EQ(settings.max_json_string, std::uint64_t{1} << 20);
    EXPECT_EQ(settings.answer_time_limit, std::chrono::seconds(20));
    ctx.options["docker-max-json-items"] = "-1";
    EXPECT_THROW(docker::apply_run_options(settings, ctx), concierge::sdk::Error);
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

// ---- hostile engines ----------------------------------------------------------------------

using concierge::test::Exchange;
using concierge::test::FakeServer;

// An engine on a unix socket of the test's: API 1.41, and `answer` for every other request.
class Engine {
public:
    explicit Engine(std::function<FakeServer::Reply(const Exchange&)> answer)
        : server_(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, path_), [answer](const Exchange& exchange) {
              if (exchange.uri == "/version") return FakeServer::Reply{200, R"({"ApiVersion":"1.41"})"};
              return answer(exchange);
          }) {}
    ~Engine() { fs::remove(path_); }
    std::string host() const { return "unix://" + path_; }

private:
    std::string path_ = (fs::temp_directory_path() / ("docker-engine-" + std::to_string(::getpid()) + ".sock")).string();
    FakeServer server_;
};

// The error a GET of `path` raises; nothing (and a test failure) if none.
std::optional<concierge::sdk::Error> get_error(docker::Client& client, const std::string& path) {
    try {
        client.get(path);
        ADD_FAILURE() << path << " raised no error";
    } catch (const concierge::sdk::Error& e) {
        return e;
    }
    return std::nullopt;
}

TEST(EngineJsonLimits, ADeepAnswerIsARemoteErrorNamingTheRequestTheByteAndTheOption) {
    Engine engine([](const Exchange&) {
        return FakeServer::Reply{200, std::string(2000000, '[') + std::string(2000000, ']')};
    });
    docker::Client client(docker::make_settings(engine.host(), "", false));
    const auto error = get_error(client, "/containers/json?all=1");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::RemoteError);
    EXPECT_EQ(std::string(error->what()), "the Docker engine at " + engine.host() +
                                              ": GET /containers/json returned malformed JSON at byte 512: nesting deeper "
                                              "than 512 (raise --docker-max-json-depth)");
}

TEST(EngineJsonLimits, ItemsStringsAndTruncatedAnswersToo) {
    Engine engine([](const Exchange& exchange) {
        if (exchange.uri.find("/containers/") != std::string::npos) return FakeServer::Reply{200, R"([{"Id":"abcdefghijk"},{}])"};
        return FakeServer::Reply{200, R"({"ID":"x","Spec":)"};
    });
    auto settings = docker::make_settings(engine.host(), "", false);
    settings.max_json_items = 1;
    docker::Client few(settings);
    auto error = get_error(few, "/containers/json");
    ASSERT_TRUE(error);
    EXPECT_EQ(std::string(error->what()), "the Docker engine at " + engine.host() +
                                              ": GET /containers/json returned malformed JSON at byte 22: more than 1 items "
                                              "in one array or object (raise --docker-max-json-items)");
    settings.max_json_items = 10;
    settings.max_json_string = 10;
    docker::Client short_strings(settings);
    error = get_error(short_strings, "/containers/json");
    ASSERT_TRUE(error);
    EXPECT_EQ(std::string(error->what()), "the Docker engine at " + engine.host() +
                                              ": GET /containers/json returned malformed JSON at byte 18: a string longer "
                                              "than 10 bytes (raise --docker-max-json-string-mib)");
    error = get_error(short_strings, "/services/web");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::RemoteError);
    EXPECT_EQ(std::string(error->what()), "the Docker engine at " + engine.host() +
                                              ": GET /services/web returned malformed JSON at byte 17: unexpected end of text");
}

// The client parses an error's body itself for the engine's message: checked first. A text
// body (a proxy's error page) is still the message.
TEST(EngineJsonLimits, AnErrorBodyIsCheckedBeforeTheClientParsesIt) {
    Engine engine([](const Exchange& exchange) {
        if (exchange.uri.find("deep") != std::string::npos)
            return FakeServer::Reply{500, R"({"message":)" + std::string(100000, '[') + std::string(100000, ']') + "}"};
        return FakeServer::Reply{502, "Bad Gateway"};
    });
    docker::Client client(docker::make_settings(engine.host(), "", false));
    auto error = get_error(client, "/containers/deep/json");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::RemoteError);
    EXPECT_EQ(std::string(error->what()), "the Docker engine at " + engine.host() +
                                              ": GET /containers/deep/json returned malformed JSON at byte 522: nesting "
                                              "deeper than 512 (raise --docker-max-json-depth)");
    error = get_error(client, "/containers/x/json");
    ASSERT_TRUE(error);
    EXPECT_NE(std::string(error->what()).find("refused GET /containers/x/json: Bad Gateway (HTTP 502)"), std::string::npos)
        << error->what();
}

// An engine that sends a byte every 200 ms is never silent for the per-read timeout: the answer
// time limit ends the request, with or without a run to watch for Ctrl-C, on a socket and on TCP.
TEST(EngineAnswerTimeLimit, ATricklingAnswerEndsAtTheLimitAsARemoteError) {
    const auto socket_path = (fs::temp_directory_path() / ("docker-trickle-" + std::to_string(::getpid()) + ".sock")).string();
    concierge::test::TrickleServer on_socket(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, socket_path),
                                             std::chrono::milliseconds(200), "/version", R"({"ApiVersion":"1.41"})");
    concierge::test::TrickleServer on_tcp(Poco::Net::SocketAddress("127.0.0.1", 0), std::chrono::milliseconds(200), "/version",
                                          R"({"ApiVersion":"1.41"})");
    for (const std::string& host : {"unix://" + socket_path, "tcp://127.0.0.1:" + std::to_string(on_tcp.port())}) {
        for (const bool with_context : {false, true}) {
            concierge::test::FakeContext ctx;
            auto settings = docker::make_settings(host, "", false);
            settings.answer_time_limit = std::chrono::seconds(1);
            if (with_context) settings.context = &ctx;
            docker::Client client(settings);
            client.api_version();
            const auto started = std::chrono::steady_clock::now();
            const auto error = get_error(client, "/services/web?insertDefaults=true");
            const auto took = std::chrono::steady_clock::now() - started;
            ASSERT_TRUE(error);
            EXPECT_EQ(error->code(), ExitCode::RemoteError) << error->what();
            EXPECT_EQ(std::string(error->what()), "the Docker engine at " + host +
                                                      " did not finish its answer to GET /services/web within 1 s (raise "
                                                      "--docker-answer-time-limit)");
            EXPECT_GE(took, std::chrono::seconds(1));
            EXPECT_LT(took, std::chrono::seconds(2)) << host << " with_context " << with_context;
        }
    }
    fs::remove(socket_path);
}

}  // namespace
