// Hostile servers, met as a user meets them: the built concierge against a stub Zabbix on
// loopback and a stub Docker engine on a unix socket that answer with what real ones cannot be made
// to send. Every case ends with the exit code the README gives (9: the service answered with an
// error), one printable line naming what was wrong, bounded memory, and a failed run in history.
#include "hostile_server.hpp"
#include "process_runner.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace concierge::test {
namespace {

using Reply = HostileServer::Reply;
using Request = HostileServer::Request;
using namespace std::chrono_literals;

constexpr long mib = 1024;  // ru_maxrss counts KiB
// The bounds are the product's. Under AddressSanitizer (the ASan tree builds concierge with it too)
// freed blocks wait in its quarantine and every byte has shadow memory: twice the bound there.
#ifdef __SANITIZE_ADDRESS__
constexpr long rss_scale = 2;
#else
constexpr long rss_scale = 1;
#endif

struct Expected {
    int exit_code = 9;
    std::vector<std::string> words;  ///< each must appear in the one line on stderr
    long max_rss_mib = 200;
};

// The run's one line, its memory, and its record in history (read through the CLI, as a user would).
void expect_failed_run(Sandbox& sandbox, const ProcessResult& result, const Expected& expected) {
    EXPECT_EQ(result.exit_code, expected.exit_code) << result.err;
    ASSERT_FALSE(result.err.empty());
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(result.err.back(), '\n');
    for (std::size_t i = 0; i + 1 < result.err.size(); ++i) {
        const auto c = static_cast<unsigned char>(result.err[i]);
        EXPECT_TRUE(c >= 0x20 && c != 0x7F) << "control byte " << int(c) << " at " << i << " in: " << result.err;
    }
    // A library's exception ("JSON Exception", "Null pointer", "Out of range") tells the user nothing.
    for (const char* library : {"Exception", "Null pointer", "Out of range", "Bad cast"})
        EXPECT_EQ(result.err.find(library), std::string::npos) << result.err;
    for (const auto& word : expected.words) EXPECT_NE(result.err.find(word), std::string::npos) << word << " not in: " << result.err;
    EXPECT_LT(result.peak_rss_kib, expected.max_rss_mib * rss_scale * mib) << "peak RSS " << result.peak_rss_kib / mib << " MiB";

    const auto history = run_concierge({"history", "--output", "json"}, sandbox.env);
    ASSERT_EQ(history.exit_code, 0) << history.err;
    const auto runs = Poco::JSON::Parser().parse(history.out).extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(runs->size(), 1u) << history.out;
    EXPECT_EQ(runs->getObject(0)->getValue<std::string>("status"), "failed");
    EXPECT_EQ(runs->getObject(0)->getValue<int>("exit_code"), expected.exit_code);
}

// ---- Zabbix: zabbix-backup against a stub frontend; template.get is its first call after login.

ProcessResult backup(Sandbox& sandbox, const HostileServer& zabbix, const std::map<std::string, std::string>& env = {}) {
    sandbox.env.erase("CONCIERGE_PLUGIN_PATH");
    sandbox.env["ZBX_API_HOST"] = zabbix.url();
    sandbox.env["ZBX_USER"] = "Admin";
    sandbox.env["ZBX_PASS"] = "zabbix-pw";
    for (const auto& [name, value] : env) sandbox.env[name] = value;
    return run_concierge({"zabbix-backup", "--config-dir", (sandbox.dir() / "backup").string()}, sandbox.env);
}

HostileServer template_get(HostileServer::Script script) { return HostileServer::zabbix({{"template.get", std::move(script)}}); }

// An answer of `result_json` to template.get.
HostileServer templates_answering(const std::string& result_json) {
    return template_get([result_json](const Request& request) { return HostileServer::json(HostileServer::rpc_result(request, result_json)); });
}

// A well-formed list of one template, then `twist`ed in how it is sent.
HostileServer templates_sent(std::function<void(Reply&)> twist) {
    return template_get([twist = std::move(twist)](const Request& request) {
        Reply reply = HostileServer::json(HostileServer::rpc_result(request, R"([{"templateid":"10001","host":"Linux"}])"));
        twist(reply);
        return reply;
    });
}

TEST(HostileZabbix, TwoMillionLevelsOfNestingAreMalformedJsonNamingTheLimit) {
    auto zabbix = template_get([](const Request&) {
        Reply reply;
        reply.body = R"({"jsonrpc":"2.0","result":)" + std::string(2'000'000, '[');
        return reply;
    });
    Sandbox sandbox;
    expect_failed_run(sandbox, backup(sandbox, zabbix),
                      {9, {"Zabbix at " + zabbix.url() + ": template.get returned malformed JSON at byte",
                           "nesting deeper than 128"}});
}

TEST(HostileZabbix, AnAnnouncedTebibyteIsRefusedAtTheCapWithoutReadingIt) {
    auto zabbix = template_get([](const Request& request) {
        Reply reply = HostileServer::json(HostileServer::rpc_result(request, "[]"));
        reply.content_length = std::uint64_t(1) << 40;
        return reply;
    });
    Sandbox sandbox;
    expect_failed_run(sandbox, backup(sandbox, zabbix), {9, {"template.get", "the cap", "--max-response-mib"}, 100});
}

TEST(HostileZabbix, AMillionAndOneItemsInOneListNameTheLimit) {
    auto zabbix = template_get([](const Request&) {
        Reply reply;
        reply.body = R"({"jsonrpc":"2.0","result":[0)";
        reply.stream = HostileServer::repeat(",0", 1'000'000);
        return reply;
    });
    Sandbox sandbox;
    expect_failed_run(sandbox, backup(sandbox, zabbix),
                      {9, {"template.get returned malformed JSON at byte", "more than 1000000 items in one array or object (raise --max-json-items)"}});
}

TEST(HostileZabbix, ASeventeenMebibyteStringNamesTheLimit) {
    auto zabbix = template_get([](const Request& request) {
        return HostileServer::json(HostileServer::rpc_result(request, R"([{"templateid":"1","host":")" + std::string(17 << 20, 'x') + "\"}]"));
    });
    Sandbox sandbox;
    expect_failed_run(sandbox, backup(sandbox, zabbix),
                      {9, {"template.get returned malformed JSON at byte", "a string longer than 16 MiB (raise --max-json-string-mib)"}});
}

// 1 GiB streamed without a length, against a 64 MiB cap: the client stops at the cap.
TEST(HostileZabbix, AStreamedGibibyteStopsAtTheCapInBoundedMemory) {
    auto zabbix = template_get([](const Request&) {
        Reply reply;
        reply.body = R"({"jsonrpc":"2.0","result":[")";
        reply.stream = HostileServer::repeat("x", std::uint64_t(1) << 30);
        return reply;
    });
    Sandbox sandbox;
    expect_failed_run(sandbox, backup(sandbox, zabbix, {{"ZBX_MAX_RESPONSE_MIB", "64"}}),
                      {9, {"template.get", "more than 64 MiB, the cap", "--max-response-mib"}, 64 + 60});
}

// The connection closes mid-answer, no length announced: what arrived is not JSON. (With a
// Content-Length, AnAnswerShorterThanItsContentLengthIsAnError.)
TEST(HostileZabbix, ABodyCutOffMidwayIsMalformedJson) {
    auto zabbix = templates_sent([](Reply& reply) {
        reply.body.resize(reply.body.size() / 2);
        reply.stream = [](const auto&) {};  // no Content-Length: the close ends the body
    });
    Sandbox sandbox;
    expect_failed_run(sandbox, backup(sandbox, zabbix), {9, {"template.get returned malformed JSON at byte", "unexpected end of text"}});
}

// The connection closes before the announced length, just after a complete JSON document: the
// answer is still cut short.
TEST(HostileZabbix, AnAnswerShorterThanItsContentLengthIsAnError) {
    auto zabbix = templates_sent([](Reply& reply) { reply.content_length = reply.body.size() + 1000; });
    Sandbox sandbox;
    expect_failed_run(sandbox, backup(sandbox, zabbix),
                      {9, {"Zabbix at " + zabbix.url() + " ended its answer to template.get after", "bytes it announced"}});
}

TEST(HostileZabbix, AContentLengthShorterThanTheBodyCutsTheJson) {
    auto zabbix = templates_sent([](Reply& reply) { reply.content_length = reply.body.size() - 10; });
    Sandbox sandbox;
    expect_failed_run(sandbox, backup(sandbox, zabbix),
                      {9, {"template.get returned malformed JSON at byte", "unexpected end of text"}});
}

// One byte every 200 ms never trips the 2-minute silence timeout; the answer time limit ends it.
TEST(HostileZabbix, ATricklingAnswerEndsAtTheAnswerTimeLimit) {
    auto zabbix = templates_sent([](Reply& reply) {  // ~15 s for all of it
        reply.piece = 1;
        reply.pause = 200ms;
    });
    Sandbox sandbox;
    const auto started = std::chrono::steady_clock::now();
    const auto result = backup(sandbox, zabbix, {{"ZBX_ANSWER_TIME_LIMIT", "2s"}});
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    expect_failed_run(sandbox, result,
                      {9, {"Zabbix at " + zabbix.url() + " did not finish its answer to template.get within 2 s "
                           "(raise --answer-time-limit)"}});
}

TEST(HostileZabbix, InvalidUtf8IsTheServersErrorNamingTheCall) {
    Sandbox sandbox;
    auto zabbix = templates_answering("[{\"templateid\":\"10001\",\"host\":\"Lin\xff\xfeux\"}]");
    expect_failed_run(sandbox, backup(sandbox, zabbix),
                      {9, {"Zabbix at " + zabbix.url() + ": template.get returned a result that is not a list of objects in valid JSON"}});
}

TEST(HostileZabbix, ALoneSurrogateIsMalformedJson) {
    Sandbox sandbox;
    auto zabbix = templates_answering(R"([{"templateid":"10001","host":"Lin\udc00ux"}])");
    expect_failed_run(sandbox, backup(sandbox, zabbix), {9, {"template.get returned malformed JSON at byte", "lone low surrogate"}});
}

TEST(HostileZabbix, EscapeSequencesInAnErrorMessageNeverReachTheTerminal) {
    auto zabbix = template_get([](const Request& request) {
        return HostileServer::json(R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params.\u001b[2J",)"
                                   R"("data":"\u001b]0;owned\u0007no \u0007permission\u001b[0m"},"id":)" + request.rpc_id + "}");
    });
    Sandbox sandbox;
    expect_failed_run(sandbox, backup(sandbox, zabbix), {9, {"Zabbix API error -32602: Invalid params. no permission"}});
}

// An id goes into the next requests and the id map: a template without one, or with a path or a
// terminal control in it, stops the backup naming the call.
TEST(HostileZabbix, AnObjectWithoutItsIdIsTheServersError) {
    Sandbox sandbox;
    auto zabbix = templates_answering(R"([{"templateid":"10001","host":"Linux"},{"host":"Windows"}])");
    expect_failed_run(sandbox, backup(sandbox, zabbix),
                      {9, {"Zabbix at " + zabbix.url() + ": template.get returned an object without its templateid (at index 1)"}});
}

TEST(HostileZabbix, AnIdWithAPathOrEscapesIsRefusedAndPrintedSafely) {
    Sandbox sandbox;
    auto zabbix = templates_answering(R"([{"templateid":"../../etc\u001b]0;owned\u0007/passwd","host":"Linux"}])");
    expect_failed_run(sandbox, backup(sandbox, zabbix),
                      {9, {"template.get returned an object whose templateid '../../etc/passwd' is not an id"}});
    EXPECT_FALSE(std::filesystem::exists(sandbox.dir() / "backup")) << "nothing is written for a refused backup";
}

// ---- Docker: compose-ps, compose-scale and swarm-scale against a stub engine -----------------

std::string container(const std::string& id, const std::string& name, const std::string& number) {
    return R"({"Id":")" + id + R"(","Names":["/)" + name + R"("],"State":"running","Labels":{"com.docker.compose.project":"shop",)" +
           R"("com.docker.compose.service":"web","com.docker.compose.container-number":")" + number + "\"}}";
}

class HostileDocker : public ::testing::Test {
protected:
    std::string socket() const { return (sandbox.dir() / "engine.sock").string(); }

    ProcessResult run(const HostileServer& engine, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {}) {
        sandbox.env.erase("CONCIERGE_PLUGIN_PATH");
        sandbox.env["DOCKER_HOST"] = engine.docker_host();
        for (const auto& [name, value] : env) sandbox.env[name] = value;
        return run_concierge(args, sandbox.env);
    }

    // A project's container list answering `containers_json`.
    HostileServer listing(const std::string& containers_json) {
        return HostileServer::docker(socket(), {{"GET /containers/json", [containers_json](const Request&) {
                                                     return HostileServer::json(containers_json);
                                                 }}});
    }

    // A well-formed list of one container of shop/web, then `twist`ed in how it is sent.
    HostileServer listing_sent(std::function<void(Reply&)> twist) {
        return HostileServer::docker(socket(), {{"GET /containers/json", [twist = std::move(twist)](const Request&) {
                                                     Reply reply = HostileServer::json("[" + container("a", "shop_web_1", "1") + "]");
                                                     twist(reply);
                                                     return reply;
                                                 }}});
    }

    Sandbox sandbox;
};


// GET /services/api of a replicated service with this ID and Replicas.
std::string service(const std::string& id, const std::string& replicas_json) {
    return R"({"ID":")" + id + R"(","Version":{"Index":7},"Spec":{"Name":"api","Mode":{"Replicated":{"Replicas":)" + replicas_json +
           "}}}}";
}

TEST_F(HostileDocker, TwoMillionLevelsOfNestingAreMalformedJsonNamingTheLimit) {
    auto engine = listing(std::string(2'000'000, '['));
    expect_failed_run(sandbox, run(engine, {"compose-ps", "--project", "shop"}),
                      {9, {"the Docker engine at " + engine.docker_host() + ": GET /", "returned malformed JSON at byte",
                           "nesting deeper than 128"}});
}

TEST_F(HostileDocker, AnAnnouncedTebibyteIsRefusedAtTheCap) {
    auto engine = listing_sent([](Reply& reply) { reply.content_length = std::uint64_t(1) << 40; });
    expect_failed_run(sandbox, run(engine, {"compose-ps", "--project", "shop"}), {9, {"the cap", "--docker-max-response-mib"}, 100});
}

TEST_F(HostileDocker, AStreamedGibibyteStopsAtTheCapInBoundedMemory) {
    auto engine = HostileServer::docker(socket(), {{"GET /containers/json", [](const Request&) {
                                                        Reply reply;
                                                        reply.body = "[";
                                                        reply.stream = HostileServer::repeat(container("a", "shop_web_1", "1") + ",",
                                                                                             std::uint64_t(1) << 23);
                                                        return reply;
                                                    }}});
    expect_failed_run(sandbox, run(engine, {"compose-ps", "--project", "shop"}, {{"DOCKER_MAX_RESPONSE_MIB", "32"}}),
                      {9, {"more than 32 MiB, the cap", "--docker-max-response-mib"}, 32 + 60});
}

TEST_F(HostileDocker, ABodyCutOffMidwayIsMalformedJson) {
    auto engine = listing_sent([](Reply& reply) {
        reply.body.resize(reply.body.size() / 2);
        reply.stream = [](const auto&) {};  // no Content-Length: the close ends the body
    });
    expect_failed_run(sandbox, run(engine, {"compose-ps", "--project", "shop"}),
                      {9, {"the Docker engine at " + engine.docker_host() + ": GET /", "returned malformed JSON at byte",
                           "unexpected end of text"}});
}

TEST_F(HostileDocker, AnAnswerShorterThanItsContentLengthIsAnError) {
    auto engine = listing_sent([](Reply& reply) { reply.content_length = reply.body.size() + 1000; });
    expect_failed_run(sandbox, run(engine, {"compose-ps", "--project", "shop"}),
                      {9, {"the Docker engine at " + engine.docker_host() + " ended its answer to GET /", "bytes it announced"}});
}

TEST_F(HostileDocker, ATricklingAnswerEndsAtTheAnswerTimeLimit) {
    auto engine = listing_sent([](Reply& reply) {  // ~40 s for all of it
        reply.piece = 1;
        reply.pause = 200ms;
    });
    const auto started = std::chrono::steady_clock::now();
    const auto result = run(engine, {"compose-ps", "--project", "shop"}, {{"DOCKER_ANSWER_TIME_LIMIT", "2s"}});
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    expect_failed_run(sandbox, result,
                      {9, {"the Docker engine at " + engine.docker_host() + " did not finish its answer to GET /",
                           "within 2 s (raise --docker-answer-time-limit)"}});
}

TEST_F(HostileDocker, ALoneSurrogateIsMalformedJson) {
    auto engine = listing("[" + container("a", R"(shop_web_1\udc00)", "1") + "]");
    expect_failed_run(sandbox, run(engine, {"compose-ps", "--project", "shop"}), {9, {"returned malformed JSON at byte", "lone low surrogate"}});
}

TEST_F(HostileDocker, InvalidUtf8IsTheEnginesError) {
    auto engine = listing("[" + container("a", "shop_web_1\xff\xfe", "1") + "]");
    expect_failed_run(sandbox, run(engine, {"compose-ps", "--project", "shop"}), {9, {"the Docker engine's container list is not a JSON array: invalid UTF-8 at byte"}});
}

TEST_F(HostileDocker, EscapeSequencesInAnEngineErrorNeverReachTheTerminal) {
    auto engine = HostileServer::docker(socket(), {{"GET /containers/json", [](const Request&) {
                                                        return HostileServer::json(
                                                            R"({"message":"\u001b[2J\u001b]0;owned\u0007disk \u0007full"})",
                                                            "500 Internal Server Error");
                                                    }}});
    expect_failed_run(sandbox, run(engine, {"compose-ps", "--project", "shop"}), {9, {"disk full"}});
}

// Names are shown, not refused: the listing succeeds and prints them without their controls.
TEST_F(HostileDocker, EscapeSequencesInNamesNeverReachTheTerminal) {
    auto engine = listing("[" + container("a", R"(shop_web_1\u001b[2J\u001b]0;owned\u0007)", "1") + "]");
    const auto result = run(engine, {"compose-ps", "--project", "shop"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("shop_web_1"), std::string::npos) << result.out;
    EXPECT_EQ(std::count_if(result.out.begin(), result.out.end(),
                            [](char c) { return c == '\x1b' || c == '\x07'; }),
              0)
        << result.out;
}

TEST_F(HostileDocker, AContainerNumberOfTenToThe23IsTheEnginesError) {
    auto engine = listing("[" + container("a", "shop_web_1", "100000000000000000000000") + "]");
    expect_failed_run(sandbox, run(engine, {"compose-ps", "--project", "shop"}),
                      {9, {"container shop_web_1 with com.docker.compose.container-number '100000000000000000000000'"}});
}

TEST_F(HostileDocker, AContainerWithoutIdIsTheEnginesError) {
    auto engine = listing(R"([{"Names":["/shop_web_1"],"Labels":{"com.docker.compose.service":"web"}}])");
    expect_failed_run(sandbox, run(engine, {"compose-ps", "--project", "shop"}),
                      {9, {"the Docker engine listed a container without an Id (shop_web_1)"}});
}

// Scaling down stops and removes by id: an id that is a path must never reach another endpoint.
TEST_F(HostileDocker, AContainerIdWithAPathIsRefusedBeforeAnyRequestUsesIt) {
    auto engine = listing("[" + container("0123456789ab", "shop_web_1", "1") + "," +
                          container(R"(../../services/api\u001b[2J)", "shop_web_2", "2") + "]");
    expect_failed_run(sandbox, run(engine, {"compose-scale", "web", "--replicas", "1", "--project", "shop"}),
                      {9, {"the Docker engine gave container id '../../services/api', which is not an id or name it makes"}});
    for (const auto& key : engine.keys()) EXPECT_TRUE(key.starts_with("GET ")) << "a change was asked: " << key;
}

// The id the engine gives a new replica is where it is started: a path there is refused too.
TEST_F(HostileDocker, ACreatedContainerIdWithAPathIsNeverStarted) {
    const std::string model = container("0123456789ab", "shop_web_1", "1");
    auto engine = HostileServer::docker(
        socket(), {{"GET /containers/json", [model](const Request&) { return HostileServer::json("[" + model + "]"); }},
                   {"GET /containers/0123456789ab/json",
                    [](const Request&) {
                        return HostileServer::json(R"({"Id":"0123456789ab","Config":{"Image":"img","Labels":{}},"HostConfig":{}})");
                    }},
                   {"POST /containers/create",
                    [](const Request&) { return HostileServer::json(R"({"Id":"../../services/api/update?x="})", "201 Created"); }}});
    expect_failed_run(sandbox, run(engine, {"compose-scale", "web", "--replicas", "2", "--project", "shop"}),
                      {9, {"shop/web is at 1 of 2 replicas", "the new container's id '../../services/api/update?x='"}});
    const auto keys = engine.keys();
    EXPECT_EQ(std::count(keys.begin(), keys.end(), "POST /containers/create"), 1);
    for (const auto& key : keys) EXPECT_TRUE(key.starts_with("GET ") || key == "POST /containers/create") << "asked: " << key;
}

TEST_F(HostileDocker, ASwarmServiceIdWithAPathIsRefusedBeforeTheUpdate) {
    auto engine = HostileServer::docker(socket(), {{"GET /services/api", [](const Request&) {
                                                        return HostileServer::json(service("../containers/x", "1"));
                                                    }}});
    expect_failed_run(sandbox, run(engine, {"swarm-scale", "api", "--replicas", "2"}), {9, {"service ID '../containers/x'"}});
    for (const auto& key : engine.keys()) EXPECT_TRUE(key.starts_with("GET ")) << "a change was asked: " << key;
}

TEST_F(HostileDocker, ANegativeReplicaCountIsTheEnginesError) {
    auto engine = HostileServer::docker(socket(), {{"GET /services/api", [](const Request&) {
                                                        return HostileServer::json(service("s1", "-1"));
                                                    }}});
    expect_failed_run(sandbox, run(engine, {"swarm-scale", "api", "--replicas", "2"}), {9, {"service api has -1 replicas"}});
}

TEST_F(HostileDocker, AReplicaCountOfTwoToThe64IsTheEnginesError) {
    auto engine = HostileServer::docker(socket(), {{"GET /services/api", [](const Request&) {
                                                        return HostileServer::json(service("s1", "18446744073709551616"));
                                                    }}});
    expect_failed_run(sandbox, run(engine, {"swarm-scale", "api", "--replicas", "2"}),
                      {9, {"Replicas 18446744073709551616, not a count"}});
    for (const auto& key : engine.keys()) EXPECT_TRUE(key.starts_with("GET ")) << "a change was asked: " << key;
}

TEST_F(HostileDocker, AServiceWithoutSpecIsTheEnginesError) {
    auto engine = HostileServer::docker(socket(), {{"GET /services/api", [](const Request&) {
                                                        return HostileServer::json(R"({"ID":"s1","Version":{"Index":7}})");
                                                    }}});
    expect_failed_run(sandbox, run(engine, {"swarm-scale", "api", "--replicas", "2"}), {9, {"service inspect has no Spec"}});
}

}  // namespace
}  // namespace concierge::test
