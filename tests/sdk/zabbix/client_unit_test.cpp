// Unit tests of the Zabbix client: URL normalisation, the options it declares, settings, error
// text, and what only a fake server can show (HTTP 500, non-JSON answers, Zabbix 5.2 and 6.4
// authentication, which the 6.0 sandbox cannot). Everything else is tested against the real
// sandbox in client_sandbox_test.cpp.
#include <concierge/zabbix/client.hpp>

#include "../fake_context.hpp"
#include "fake_server.hpp"
#include "test_pem.hpp"
#include "trickle_server.hpp"
#include "version_error.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <unistd.h>

namespace zbx = concierge::zabbix;
using concierge::sdk::ExitCode;

namespace {

// ---- normalise_api_url ---------------------------------------------------------------------

TEST(NormaliseApiUrl, BareHostGetsHttpsAndEndpoint) {
    EXPECT_EQ(zbx::normalise_api_url("zbx.example"), "https://zbx.example/api_jsonrpc.php");
    EXPECT_EQ(zbx::normalise_api_url("  zbx.example\n"), "https://zbx.example/api_jsonrpc.php");
}

TEST(NormaliseApiUrl, HostAndPort) {
    EXPECT_EQ(zbx::normalise_api_url("zbx.example:8080"), "https://zbx.example:8080/api_jsonrpc.php");
    EXPECT_EQ(zbx::normalise_api_url("127.0.0.1:18601"), "https://127.0.0.1:18601/api_jsonrpc.php");
}

TEST(NormaliseApiUrl, UrlWithPath) {
    EXPECT_EQ(zbx::normalise_api_url("http://h:1/zabbix"), "http://h:1/zabbix/api_jsonrpc.php");
    EXPECT_EQ(zbx::normalise_api_url("http://h/zabbix/"), "http://h/zabbix/api_jsonrpc.php");
    EXPECT_EQ(zbx::normalise_api_url("https://h/"), "https://h/api_jsonrpc.php");
    EXPECT_EQ(zbx::normalise_api_url("http://h"), "http://h/api_jsonrpc.php");
}

TEST(NormaliseApiUrl, FullEndpointKept) {
    EXPECT_EQ(zbx::normalise_api_url("http://127.0.0.1:18601/api_jsonrpc.php"), "http://127.0.0.1:18601/api_jsonrpc.php");
    EXPECT_EQ(zbx::normalise_api_url("https://zbx.example/zabbix/api_jsonrpc.php"),
              "https://zbx.example/zabbix/api_jsonrpc.php");
}

TEST(NormaliseApiUrl, GarbageIsAUsageError) {
    for (const char* garbage : {"", "   ", "zbx example", "ftp://x", "http://", "https://h:notaport", "http://h/?a=1",
                                "zbx.example:99999"}) {
        try {
            zbx::normalise_api_url(garbage);
            ADD_FAILURE() << "accepted '" << garbage << "'";
        } catch (const concierge::sdk::Error& e) {
            EXPECT_EQ(e.code(), ExitCode::Usage) << garbage;
            EXPECT_NE(std::string(e.what()).find("ZBX_API_HOST"), std::string::npos) << e.what();
        }
    }
}

TEST(NormaliseApiUrl, CredentialsInTheUrlAreAUsageErrorThatNeverEchoesThem) {
    for (const char* url : {"http://Admin:s3cret-canary@zbx.example/", "s3cret-canary@zbx.example", "https://u:s3cret-canary@h:443"}) {
        try {
            zbx::normalise_api_url(url);
            ADD_FAILURE() << "accepted a URL with credentials";
        } catch (const concierge::sdk::Error& e) {
            EXPECT_EQ(e.code(), ExitCode::Usage);
            EXPECT_NE(std::string(e.what()).find("ZBX_USER and ZBX_PASS"), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find("s3cret-canary"), std::string::npos) << e.what();
        }
    }
    // An @ in the path is not a credential.
    EXPECT_EQ(zbx::normalise_api_url("http://h/a@b"), "http://h/a@b/api_jsonrpc.php");
}

// ---- connection_options ----------------------------------------------------------------------

TEST(ConnectionOptions, NamesEnvironmentAndConfigKeys) {
    std::map<std::string, concierge::sdk::OptionSpec> by_name;
    for (const auto& spec : zbx::connection_options()) by_name[spec.name] = spec;
    const std::map<std::string, std::string> env = {
        {"api-host", "ZBX_API_HOST"},      {"user", "ZBX_API_USER,ZBX_USER"}, {"password", "ZBX_API_PASS,ZBX_PASS"},
        {"password-file", "ZBX_PASS_FILE"}, {"token", "ZBX_API_TOKEN"},       {"tls-verify", "ZBX_TLS_VERIFY"},
        {"ca-file", "ZBX_CA_FILE"},         {"timeout", "ZBX_TIMEOUT"},       {"insecure", ""},
        {"max-response-mib", "ZBX_MAX_RESPONSE_MIB"}, {"max-export-mib", "ZBX_MAX_EXPORT_MIB"},
        {"max-json-depth", "ZBX_MAX_JSON_DEPTH"},     {"max-json-items", "ZBX_MAX_JSON_ITEMS"},
        {"max-json-string-mib", "ZBX_MAX_JSON_STRING_MIB"}, {"answer-time-limit", "ZBX_ANSWER_TIME_LIMIT"}};
    ASSERT_EQ(by_name.size(), env.size());
    for (const auto& [name, variables] : env) {
        ASSERT_TRUE(by_name.count(name)) << name;
        EXPECT_EQ(by_name[name].env, variables) << name;
        EXPECT_EQ(by_name[name].config_key, "zabbix." + name) << name;
    }
    EXPECT_TRUE(by_name["api-host"].required);
    EXPECT_EQ(by_name["timeout"].type, concierge::sdk::OptionType::Duration);
    EXPECT_EQ(by_name["timeout"].default_value, "2m");
    EXPECT_EQ(by_name["tls-verify"].type, concierge::sdk::OptionType::Flag);
    EXPECT_EQ(by_name["tls-verify"].default_value, "true");
    EXPECT_EQ(by_name["insecure"].type, concierge::sdk::OptionType::Flag);
    EXPECT_EQ(by_name["max-response-mib"].type, concierge::sdk::OptionType::Integer);
    EXPECT_EQ(by_name["max-response-mib"].default_value, "64");
    EXPECT_EQ(by_name["max-export-mib"].default_value, "512");
    EXPECT_EQ(by_name["max-json-depth"].default_value, "512");
    EXPECT_EQ(by_name["max-json-items"].default_value, "1000000");
    EXPECT_EQ(by_name["max-json-string-mib"].default_value, "16");
    EXPECT_EQ(by_name["answer-time-limit"].type, concierge::sdk::OptionType::Duration);
    EXPECT_EQ(by_name["answer-time-limit"].default_value, "10m");
}

TEST(ConnectionOptions, SecretsNeverOnTheCommandLine) {
    for (const auto& spec : zbx::connection_options()) {
        bool secret = spec.name == "password" || spec.name == "token";
        EXPECT_EQ(spec.secret, secret) << spec.name;
        EXPECT_EQ(spec.from_command_line, !secret) << spec.name;
    }
}

// ---- settings_from -------------------------------------------------------------------------

TEST(SettingsFrom, UserAndPassword) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"api-host", "zbx.example"}, {"user", "Admin"}, {"password", "s3cret!"}, {"tls-verify", "true"},
                   {"timeout", "5000"}};
    auto settings = zbx::settings_from(ctx);
    EXPECT_EQ(settings.url, "https://zbx.example/api_jsonrpc.php");
    EXPECT_EQ(settings.user, "Admin");
    EXPECT_EQ(settings.password, "s3cret!");
    EXPECT_TRUE(settings.tls_verify);
    EXPECT_EQ(settings.timeout, std::chrono::milliseconds(5000));
    EXPECT_EQ(ctx.secrets, std::vector<std::string>{"s3cret!"});
    EXPECT_TRUE(ctx.warnings.empty());
    EXPECT_EQ(settings.context, &ctx) << "Ctrl-C would not end a call in flight";
    EXPECT_EQ(settings.max_response, std::uint64_t{64} << 20);
    EXPECT_EQ(settings.max_export_response, std::uint64_t{512} << 20);
}

TEST(SettingsFrom, PasswordFileTrimmedAndSecret) {
    auto path = std::filesystem::temp_directory_path() / ("zbx-pass-" + std::to_string(::getpid()));
    std::ofstream(path) << "from-file\n";
    concierge::test::FakeContext ctx;
    ctx.options = {{"api-host", "zbx.example"}, {"user", "Admin"}, {"password-file", path.string()}};
    auto settings = zbx::settings_from(ctx);
    std::filesystem::remove(path);
    EXPECT_EQ(settings.password, "from-file");
    EXPECT_EQ(ctx.secrets, std::vector<std::string>{"from-file"});
}

TEST(SettingsFrom, UnreadablePasswordFileIsInvalidInput) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"api-host", "zbx.example"}, {"user", "Admin"}, {"password-file", "/nonexistent/pass"}};
    try {
        zbx::settings_from(ctx);
        FAIL() << "accepted a missing password file";
    } catch (const concierge::sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::InvalidInput);
    }
}

TEST(SettingsFrom, TokenNeedsNoUserAndInsecureWins) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"api-host", "https://zbx.example"}, {"token", "abcdef0123"}, {"tls-verify", "true"},
                   {"insecure", "true"}};
    auto settings = zbx::settings_from(ctx);
    EXPECT_EQ(settings.token, "abcdef0123");
    EXPECT_FALSE(settings.tls_verify);
    EXPECT_EQ(ctx.secrets, std::vector<std::string>{"abcdef0123"});
    ASSERT_EQ(ctx.warnings.size(), 1u);  // verification off
    EXPECT_EQ(ctx.warnings[0].find("abcdef0123"), std::string::npos);
}

TEST(SettingsFrom, WarnsAboutCredentialsOverPlainHttp) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"api-host", "http://zbx.example/zabbix"}, {"user", "Admin"}, {"password", "pw"}};
    zbx::settings_from(ctx);
    ASSERT_EQ(ctx.warnings.size(), 1u);
    EXPECT_NE(ctx.warnings[0].find("clear text"), std::string::npos) << ctx.warnings[0];
}

TEST(SettingsFrom, JsonLimitsAndTheAnswerTimeLimitUnderTheOptionsPrefix) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"zabbix-api-host", "zbx.example"}, {"zabbix-token", "t"}, {"zabbix-max-json-depth", "64"},
                   {"zabbix-max-json-items", "1000"}, {"zabbix-max-json-string-mib", "2"},
                   {"zabbix-answer-time-limit", "30000"}};
    const auto settings = zbx::settings_from(ctx, "zabbix-");
    EXPECT_EQ(settings.max_json_depth, 64u);
    EXPECT_EQ(settings.max_json_items, 1000u);
    EXPECT_EQ(settings.max_json_string, std::uint64_t{2} << 20);
    EXPECT_EQ(settings.answer_time_limit, std::chrono::seconds(30));
    EXPECT_EQ(settings.option_prefix, "zabbix-") << "messages name --zabbix-max-json-depth";
    ctx.options["zabbix-max-json-depth"] = "0";
    try {
        zbx::settings_from(ctx, "zabbix-");
        FAIL() << "accepted a depth of 0";
    } catch (const concierge::sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::Usage);
        EXPECT_STREQ(e.what(), "--zabbix-max-json-depth must be from 1, not 0");
    }
}

TEST(SettingsFrom, NoCredentialsIsAUsageError) {
    concierge::test::FakeContext ctx;
    ctx.options = {{"api-host", "zbx.example"}, {"user", "Admin"}};
    try {
        zbx::settings_from(ctx);
        FAIL() << "accepted a user without password";
    } catch (const concierge::sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::Usage);
        EXPECT_NE(std::string(e.what()).find("ZBX_API_TOKEN"), std::string::npos);
    }
}

// ---- ApiError --------------------------------------------------------------------------------

TEST(ApiError, OneLineWithCodeMessageAndData) {
    zbx::ApiError error(-32602, "Invalid params.", "Host group \"x\" already exists.\nsecond line");
    EXPECT_STREQ(error.what(), "Zabbix API error -32602: Invalid params. Host group \"x\" already exists. second line");
    EXPECT_EQ(error.code(), ExitCode::RemoteError);
    EXPECT_EQ(error.api_code(), -32602);
    EXPECT_EQ(error.api_message(), "Invalid params.");
    EXPECT_EQ(error.api_data(), "Host group \"x\" already exists.\nsecond line");
    EXPECT_STREQ(zbx::ApiError(-32500, "Application error.", "").what(), "Zabbix API error -32500: Application error.");
}

// ---- against a fake server -------------------------------------------------------------------

using concierge::test::Exchange;
using concierge::test::FakeServer;
using concierge::test::reply;

// A Zabbix of the given version: answers apiinfo.version, user.login, user.logout and echo.
FakeServer::Answer zabbix_of(std::string version) {
    return [version](const Poco::JSON::Object::Ptr& request) -> std::pair<int, std::string> {
        std::string method = request->getValue<std::string>("method");
        if (method == "apiinfo.version") return {200, reply(request, "\"" + version + "\"")};
        if (method == "user.login") return {200, reply(request, "\"0424bd59b807674191e7d77572075f33\"")};
        if (method == "user.logout") return {200, reply(request, "true")};
        return {200, reply(request, R"([{"hostid":"10084","host":"Zabbix server \u00e9"}])")};
    };
}

zbx::Settings settings_for(const std::string& url) {
    zbx::Settings settings;
    settings.url = url;
    settings.user = "Admin";
    settings.password = "zabbix-pw";
    settings.timeout = std::chrono::seconds(5);
    return settings;
}

Poco::JSON::Object::Ptr body_of(const Exchange& exchange) {
    return Poco::JSON::Parser().parse(exchange.body).extract<Poco::JSON::Object::Ptr>();
}

TEST(ClientFake, Zabbix64UsesBearerHeaderAndNoAuthField) {
    FakeServer server(zabbix_of("6.4.2"));
    {
        zbx::Client client(settings_for(server.url()));
        client.login();
        EXPECT_EQ(client.call("host.get", R"({"output":["host"]})"), R"([{"hostid":"10084","host":"Zabbix server é"}])");
    }
    auto exchanges = server.exchanges();
    ASSERT_EQ(exchanges.size(), 4u);  // version, login, host.get, logout
    const char* methods[] = {"apiinfo.version", "user.login", "host.get", "user.logout"};
    std::int64_t last_id = 0;
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
        auto body = body_of(exchanges[i]);
        EXPECT_EQ(body->getValue<std::string>("method"), methods[i]);
        EXPECT_EQ(body->getValue<std::string>("jsonrpc"), "2.0");
        EXPECT_GT(body->getValue<std::int64_t>("id"), last_id);
        last_id = body->getValue<std::int64_t>("id");
        EXPECT_EQ(exchanges[i].content_type, "application/json-rpc");
        EXPECT_FALSE(body->has("auth")) << exchanges[i].body;
        EXPECT_EQ(exchanges[i].authorization, i < 2 ? "" : "Bearer 0424bd59b807674191e7d77572075f33") << methods[i];
    }
    EXPECT_TRUE(body_of(exchanges[1])->getObject("params")->has("username"));
}

TEST(ClientFake, Zabbix52UsesUserAndAuthField) {
    FakeServer server(zabbix_of("5.2.7"));
    {
        zbx::Client client(settings_for(server.url()));
        client.login();
        client.call("host.get", "{}");
    }
    auto exchanges = server.exchanges();
    ASSERT_EQ(exchanges.size(), 4u);
    auto login = body_of(exchanges[1])->getObject("params");
    EXPECT_EQ(login->getValue<std::string>("user"), "Admin");
    EXPECT_FALSE(login->has("username"));
    EXPECT_FALSE(body_of(exchanges[0])->has("auth"));
    EXPECT_FALSE(body_of(exchanges[1])->has("auth"));
    EXPECT_EQ(body_of(exchanges[2])->getValue<std::string>("auth"), "0424bd59b807674191e7d77572075f33");
    EXPECT_EQ(body_of(exchanges[3])->getValue<std::string>("method"), "user.logout");
    for (const auto& exchange : exchanges) EXPECT_EQ(exchange.authorization, "");
}

TEST(ClientFake, TokenIsNeverLoggedInOrOut) {
    FakeServer server(zabbix_of("6.4.2"));
    {
        auto settings = settings_for(server.url());
        settings.user.clear();
        settings.password.clear();
        settings.token = "tok-123";
        zbx::Client client(settings);
        client.login();
        client.call("host.get", "{}");
    }
    auto exchanges = server.exchanges();
    ASSERT_EQ(exchanges.size(), 2u);  // version, host.get
    EXPECT_EQ(exchanges[0].authorization, "");
    EXPECT_EQ(exchanges[1].authorization, "Bearer tok-123");
}

TEST(ClientFake, Http500IsARemoteError) {
    FakeServer server([](const Poco::JSON::Object::Ptr&) { return std::pair{500, std::string("oops")}; });
    zbx::Client client(settings_for(server.url()));
    auto error = version_error(client);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::RemoteError);
    EXPECT_NE(std::string(error->what()).find("HTTP 500"), std::string::npos) << error->what();
}

TEST(ClientFake, AnswerThatIsNotJsonRpcIsARemoteError) {
    for (std::string answer : {"<html>login page</html>", "[1,2]", R"({"jsonrpc":"2.0","id":1})"}) {
        FakeServer server([answer](const Poco::JSON::Object::Ptr&) { return std::pair{200, answer}; });
        zbx::Client client(settings_for(server.url()));
        auto error = version_error(client);
        ASSERT_TRUE(error) << answer;
        EXPECT_EQ(error->code(), ExitCode::RemoteError) << error->what();
        EXPECT_NE(std::string(error->what()).find("not JSON-RPC"), std::string::npos) << error->what();
    }
}

TEST(ClientFake, MalformedParamsAreTheCallersBug) {
    FakeServer server(zabbix_of("6.0.14"));
    zbx::Client client(settings_for(server.url()));
    for (const char* params : {"{\"output\":", "42", "not json"}) {
        try {
            client.call("host.get", params);
            FAIL() << "sent " << params;
        } catch (const concierge::sdk::Error& e) {
            EXPECT_EQ(e.code(), ExitCode::Failure) << e.what();
        }
    }
    EXPECT_TRUE(server.exchanges().empty());
}

TEST(ClientFake, TimeoutIsUnreachable) {
    FakeServer server([](const Poco::JSON::Object::Ptr& request) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        return std::pair{200, reply(request, "\"6.0.14\"")};
    });
    zbx::Client client(settings_for(server.url()));
    try {
        client.call("apiinfo.version", "[]", std::chrono::milliseconds(300));
        FAIL() << "no timeout";
    } catch (const concierge::sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::Unreachable) << e.what();
        EXPECT_NE(std::string(e.what()).find("ZBX_TIMEOUT"), std::string::npos) << e.what();
    }
}

// ---- answer size caps -----------------------------------------------------------------------

const std::string two_mib(2 << 20, 'x');

// A Zabbix 6.0 answering every other method with a 2 MiB string.
std::pair<int, std::string> two_mib_answers(const Poco::JSON::Object::Ptr& request) {
    if (request->getValue<std::string>("method") == "apiinfo.version") return {200, reply(request, "\"6.0.14\"")};
    return {200, reply(request, "\"" + two_mib + "\"")};
}

// The error `method` raises; nothing (and a test failure) if none.
std::optional<concierge::sdk::Error> call_error(zbx::Client& client, const std::string& method) {
    try {
        client.call(method, "{}");
        ADD_FAILURE() << method << " raised no error";
    } catch (const concierge::sdk::Error& e) {
        return e;
    }
    return std::nullopt;
}

zbx::Settings capped_settings(const FakeServer& server, std::uint64_t max_response, std::uint64_t max_export) {
    auto settings = settings_for(server.url());
    settings.token = "api-token";  // no login
    settings.max_response = max_response;
    settings.max_export_response = max_export;
    return settings;
}

TEST(AnswerCap, AnAnswerOverItsCapIsARemoteErrorSayingHowToRaiseTheCap) {
    FakeServer server(two_mib_answers);
    zbx::Client client(capped_settings(server, 1 << 20, 4 << 20));
    const auto error = call_error(client, "host.get");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::RemoteError);
    EXPECT_EQ(std::string(error->what()), "Zabbix at " + server.url() +
                                              " answered host.get with more than 1 MiB, the cap; raise it with "
                                              "--max-response-mib (ZBX_MAX_RESPONSE_MIB, zabbix.max-response-mib)");
}

// Without a Content-Length the cap applies as the answer arrives, before it is all in memory.
TEST(AnswerCap, AChunkedAnswerIsCappedAsItArrives) {
    FakeServer server(two_mib_answers);
    server.chunked = true;
    zbx::Client client(capped_settings(server, 1 << 20, 4 << 20));
    const auto error = call_error(client, "host.get");
    ASSERT_TRUE(error);
    EXPECT_NE(std::string(error->what()).find("answered host.get with more than 1 MiB, the cap"), std::string::npos)
        << error->what();
    zbx::Client roomy(capped_settings(server, 4 << 20, 4 << 20));
    EXPECT_EQ(roomy.call("host.get", "{}"), two_mib);
}

// An export is the whole configuration: it may be larger than any other answer is allowed to be.
TEST(AnswerCap, ConfigurationExportHasItsOwnLargerCap) {
    FakeServer server(two_mib_answers);
    zbx::Client client(capped_settings(server, 1 << 20, 4 << 20));
    EXPECT_EQ(client.call("configuration.export", "{}"), two_mib);
    zbx::Client capped(capped_settings(server, 4 << 20, 1 << 20));
    const auto error = call_error(capped, "configuration.export");
    ASSERT_TRUE(error);
    EXPECT_EQ(std::string(error->what()), "Zabbix at " + server.url() +
                                              " answered configuration.export with more than 1 MiB, the cap; raise it with "
                                              "--max-export-mib (ZBX_MAX_EXPORT_MIB, zabbix.max-export-mib)");
}

// ---- JSON limits ---------------------------------------------------------------------------

// An answer nested two million levels deep once reached a plugin's POCO parser, which ended the
// run with "JSON Exception" and exit 1: the client stops it, naming the call, byte and option.
TEST(AnswerJsonLimits, ADeepResultIsARemoteErrorNamingTheCallTheByteAndTheOption) {
    const std::string deep = std::string(2000000, '[') + std::string(2000000, ']');
    FakeServer server([&deep](const Poco::JSON::Object::Ptr& request) { return std::pair{200, reply(request, deep)}; });
    zbx::Client client(settings_for(server.url()));
    const auto error = call_error(client, "template.get");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::RemoteError);
    // The result starts at byte 26 of {"jsonrpc":"2.0","result":...
    EXPECT_EQ(std::string(error->what()), "Zabbix at " + server.url() +
                                              ": template.get returned malformed JSON at byte 538: nesting deeper than 512 "
                                              "(raise --max-json-depth)");
}

TEST(AnswerJsonLimits, TheErrorMemberIsCheckedBeforeItIsParsed) {
    const std::string deep = R"({"jsonrpc":"2.0","error":)" + std::string(100000, '[') + std::string(100000, ']') + R"(,"id":1})";
    FakeServer server([&deep](const Poco::JSON::Object::Ptr&) { return std::pair{200, deep}; });
    zbx::Client client(settings_for(server.url()));
    const auto error = call_error(client, "host.get");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::RemoteError);
    EXPECT_EQ(std::string(error->what()), "Zabbix at " + server.url() +
                                              ": host.get returned malformed JSON at byte 537: nesting deeper than 512 "
                                              "(raise --max-json-depth)");
}

TEST(AnswerJsonLimits, ItemsAndStringsAreBoundedAsTheSettingsSay) {
    FakeServer server([](const Poco::JSON::Object::Ptr& request) {
        return std::pair{200, reply(request, R"([{"name":"abcdefghij"},2,3])")};
    });
    auto settings = settings_for(server.url());
    settings.option_prefix = "zabbix-";
    settings.max_json_items = 2;
    zbx::Client few(settings);
    auto error = call_error(few, "host.get");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::RemoteError);
    EXPECT_EQ(std::string(error->what()), "Zabbix at " + server.url() +
                                              ": host.get returned malformed JSON at byte 51: more than 2 items in one array "
                                              "or object (raise --zabbix-max-json-items)");
    settings.max_json_items = 3;
    settings.max_json_string = 9;
    zbx::Client short_strings(settings);
    error = call_error(short_strings, "host.get");
    ASSERT_TRUE(error);
    EXPECT_EQ(std::string(error->what()), "Zabbix at " + server.url() +
                                              ": host.get returned malformed JSON at byte 45: a string longer than 9 bytes "
                                              "(raise --zabbix-max-json-string-mib)");
    settings.max_json_string = 10;
    zbx::Client enough(settings);
    EXPECT_EQ(enough.call("host.get", "{}"), R"([{"name":"abcdefghij"},2,3])");
}

// An export's document is one string, far longer than any other: its cap bounds it instead.
TEST(AnswerJsonLimits, TheExportStringIsBoundedByTheExportCapNotTheStringLimit) {
    FakeServer server(two_mib_answers);
    auto settings = capped_settings(server, 4 << 20, 4 << 20);
    settings.max_json_string = 1 << 20;
    zbx::Client client(settings);
    EXPECT_EQ(client.call("configuration.export", "{}"), two_mib);
    const auto error = call_error(client, "host.get");
    ASSERT_TRUE(error);
    EXPECT_NE(std::string(error->what()).find(": host.get returned malformed JSON at byte 1048603: a string longer than 1 MiB "
                                              "(raise --max-json-string-mib)"),
              std::string::npos)
        << error->what();
}

// ---- answer time limit -----------------------------------------------------------------------

// A server that sends a byte every 200 ms is never silent for the per-read timeout: the answer
// time limit ends the call, with or without a run to watch for Ctrl-C.
TEST(AnswerTimeLimit, ATricklingAnswerEndsAtTheLimitAsARemoteError) {
    concierge::test::TrickleServer server(Poco::Net::SocketAddress("127.0.0.1", 0), std::chrono::milliseconds(200));
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/api_jsonrpc.php";
    for (const bool with_context : {false, true}) {
        concierge::test::FakeContext ctx;
        auto settings = settings_for(url);
        settings.answer_time_limit = std::chrono::seconds(1);
        if (with_context) settings.context = &ctx;
        zbx::Client client(settings);
        const auto started = std::chrono::steady_clock::now();
        const auto error = call_error(client, "host.get");
        const auto took = std::chrono::steady_clock::now() - started;
        ASSERT_TRUE(error);
        EXPECT_EQ(error->code(), ExitCode::RemoteError) << error->what();
        EXPECT_EQ(std::string(error->what()),
                  "Zabbix at " + url + " did not finish its answer to host.get within 1 s (raise --answer-time-limit)");
        EXPECT_GE(took, std::chrono::seconds(1));
        EXPECT_LT(took, std::chrono::seconds(2)) << "with_context " << with_context;
    }
}

// Ctrl-C during a trickling answer is still Ctrl-C.
TEST(AnswerTimeLimit, CtrlCDuringATricklingAnswerIsInterrupted) {
    concierge::test::TrickleServer server(Poco::Net::SocketAddress("127.0.0.1", 0), std::chrono::milliseconds(200));
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/api_jsonrpc.php";
    concierge::test::FakeContext ctx;
    auto settings = settings_for(url);
    settings.context = &ctx;
    zbx::Client client(settings);
    auto call = std::async(std::launch::async, [&] { return call_error(client, "host.get"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ctx.cancel = true;
    ASSERT_EQ(call.wait_for(std::chrono::seconds(2)), std::future_status::ready) << "the call still waits";
    const auto error = call.get();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::Interrupted) << error->what();
}

// ---- HTTPS ---------------------------------------------------------------------------------

// A fake Zabbix 6.0 over TLS with a fresh self-signed certificate.
class TlsZabbix {
public:
    TlsZabbix() {
        Poco::Net::initializeSSL();
        const auto pem = concierge::test::make_test_pem("127.0.0.1");
        std::ofstream(key_) << pem.key;
        std::ofstream(cert_) << pem.cert;
        Poco::Net::Context::Params params;
        params.privateKeyFile = key_;
        params.certificateFile = cert_;
        params.verificationMode = Poco::Net::Context::VERIFY_NONE;
        server_.emplace(Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64,
                                                      new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params)),
                        [](const Exchange& exchange) {
                            const auto request = Poco::JSON::Parser().parse(exchange.body).extract<Poco::JSON::Object::Ptr>();
                            return FakeServer::Reply{200, reply(request, "\"6.0.14\"")};
                        });
    }
    ~TlsZabbix() {
        server_.reset();
        std::filesystem::remove(key_);
        std::filesystem::remove(cert_);
    }
    std::string url() const { return server_->url("https"); }

private:
    std::string key_ = std::filesystem::temp_directory_path() / ("zbx-tls-key-" + std::to_string(::getpid()) + ".pem");
    std::string cert_ = std::filesystem::temp_directory_path() / ("zbx-tls-cert-" + std::to_string(::getpid()) + ".pem");
    std::optional<FakeServer> server_;
};

// The client connects and shakes hands itself, so that Ctrl-C can end both: TLS still works.
TEST(ClientFake, HttpsCallsWorkOverTheClientsOwnConnection) {
    TlsZabbix server;
    auto settings = settings_for(server.url());
    settings.tls_verify = false;
    zbx::Client client(settings);
    EXPECT_EQ(client.version().text, "6.0.14");
    EXPECT_EQ(client.call("apiinfo.version", "[]"), "6.0.14");
}

// ---- Ctrl-C ------------------------------------------------------------------------------------

TEST(CtrlC, ACallWaitingOnASilentServerEndsAsInterruptedWhenTheRunIsCancelled) {
    FakeServer server([](const Poco::JSON::Object::Ptr&) { return std::pair{FakeServer::no_answer, std::string()}; });
    concierge::test::FakeContext ctx;
    auto settings = settings_for(server.url());
    settings.context = &ctx;
    zbx::Client client(settings);
    auto call = std::async(std::launch::async, [&] { return version_error(client); });
    ASSERT_TRUE(server.wait_for_request("apiinfo.version", std::chrono::seconds(5)));
    ctx.cancel = true;
    ASSERT_EQ(call.wait_for(std::chrono::seconds(2)), std::future_status::ready) << "the call still waits";
    const auto error = call.get();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::Interrupted);
    EXPECT_EQ(std::string(error->what()), "interrupted while waiting for Zabbix at " + server.url());
}

TEST(CtrlC, ACallAfterTheCancelNeverReachesTheServer) {
    FakeServer server(zabbix_of("6.0.14"));
    concierge::test::FakeContext ctx;
    ctx.cancel = true;
    auto settings = settings_for(server.url());
    settings.context = &ctx;
    zbx::Client client(settings);
    const auto error = version_error(client);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::Interrupted);
    EXPECT_TRUE(server.exchanges().empty());
}

}  // namespace
