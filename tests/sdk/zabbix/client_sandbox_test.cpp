// The Zabbix client against each real Zabbix version of the sandbox (scripts/sandbox/zabbix.sh),
// and through socat as a TLS terminator in front of it.
#include <concierge/zabbix/client.hpp>

#include "sandbox_objects.hpp"
#include "tls_proxy.hpp"
#include "version_error.hpp"
#include "zabbix_instances.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include <unistd.h>

namespace zbx = concierge::zabbix;
using concierge::sdk::ExitCode;
namespace fs = std::filesystem;

namespace {

using concierge::test::unique_name;
using concierge::test::ZabbixInstance;

Poco::Dynamic::Var parse(const std::string& json) { return Poco::JSON::Parser().parse(json); }

class ZabbixSandbox : public testing::TestWithParam<ZabbixInstance> {
protected:
    zbx::Settings settings() const {
        zbx::Settings settings;
        settings.url = GetParam().url;
        settings.user = "Admin";
        settings.password = "zabbix";
        settings.timeout = std::chrono::seconds(60);
        return settings;
    }
};

INSTANTIATE_TEST_SUITE_P(Versions, ZabbixSandbox, testing::ValuesIn(concierge::test::zabbix_instances()),
                         concierge::test::instance_name);

TEST_P(ZabbixSandbox, VersionIsTheInstances) {
    zbx::Client client(settings());
    const auto& version = client.version();
    EXPECT_EQ(version.major, GetParam().major);
    EXPECT_EQ(version.minor, GetParam().minor);
    EXPECT_EQ(version.text.rfind(GetParam().version_prefix(), 0), 0u) << version.text;
    EXPECT_TRUE(version.at_least(5, 4));
    EXPECT_EQ(version.at_least(6, 4), GetParam().at_least(6, 4));
}

TEST_P(ZabbixSandbox, LoginCallLogout) {
    zbx::Client client(settings());
    client.login();
    client.login();  // idempotent
    auto count = client.call("hostgroup.get", R"({"countOutput":true})");
    EXPECT_GT(std::stoi(count), 0) << count;
    client.logout();
    client.logout();  // idempotent
    try {
        client.call("hostgroup.get", R"({"countOutput":true})");
        FAIL() << "a call without a session succeeded";
    } catch (const zbx::ApiError& e) {
        EXPECT_EQ(e.code(), ExitCode::RemoteError);
    }
}

TEST_P(ZabbixSandbox, CallAfterLogoutSaysSessionTerminated) {
    // A session id used like a token goes where the client's own session goes: "auth" before 6.4,
    // a Bearer header since.
    zbx::Client anonymous(settings());
    auto params = R"({"username":")" + settings().user + R"(","password":")" + settings().password + "\"}";
    std::string session = anonymous.call("user.login", params);
    ASSERT_EQ(session.size(), 32u) << session;

    auto with_session = settings();
    with_session.token = session;
    zbx::Client client(with_session);
    EXPECT_EQ(client.call("user.logout", "[]"), "true");
    try {
        client.call("hostgroup.get", R"({"countOutput":true})");
        FAIL() << "a logged-out session still works";
    } catch (const zbx::ApiError& e) {
        EXPECT_NE(std::string(e.what()).find("Session terminated"), std::string::npos) << e.what();
    }
}

TEST_P(ZabbixSandbox, ApiTokenWorksUntilDeleted) {
    zbx::Client admin(settings());
    admin.login();
    const auto created = parse(admin.call("token.create", R"({"name":")" + unique_name("concierge-token") + R"(","userid":"1"})"));
    const std::string id = created.extract<Poco::JSON::Object::Ptr>()->getArray("tokenids")->getElement<std::string>(0);
    const auto generated = parse(admin.call("token.generate", "[\"" + id + "\"]"));
    auto with_token = settings();
    with_token.user.clear();
    with_token.password.clear();
    with_token.token = generated.extract<Poco::JSON::Array::Ptr>()->getObject(0)->getValue<std::string>("token");
    zbx::Client client(with_token);
    EXPECT_GT(std::stoi(client.call("hostgroup.get", R"({"countOutput":true})")), 0);
    admin.call("token.delete", "[\"" + id + "\"]");
    try {
        client.call("hostgroup.get", R"({"countOutput":true})");
        FAIL() << "a deleted API token still works";
    } catch (const zbx::ApiError& e) {
        EXPECT_EQ(e.code(), ExitCode::RemoteError) << e.what();
    }
}

TEST_P(ZabbixSandbox, WrongPasswordIsAuthFailedWithoutThePassword) {
    auto wrong = settings();
    wrong.password = "Wrong-Pa55word-" + std::to_string(::getpid());
    zbx::Client client(wrong);
    try {
        client.login();
        FAIL() << "logged in with a wrong password";
    } catch (const zbx::ApiError& e) {
        FAIL() << "an ApiError, not AuthFailed: " << e.what();
    } catch (const concierge::sdk::Error& e) {
        std::string what = e.what();
        EXPECT_EQ(e.code(), ExitCode::AuthFailed) << what;
        EXPECT_EQ(what.find(wrong.password), std::string::npos) << what;
        EXPECT_NE(what.find("ZBX_PASS"), std::string::npos) << what;
        EXPECT_NE(what.find("ncorrect"), std::string::npos) << what;  // "Incorrect user name or password ..."
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
}

TEST_P(ZabbixSandbox, ClosedPortIsUnreachable) {
    auto closed = settings();
    closed.url = "http://127.0.0.1:1/api_jsonrpc.php";
    zbx::Client client(closed);
    auto error = version_error(client);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::Unreachable) << error->what();
    EXPECT_NE(std::string(error->what()).find("ZBX_API_HOST"), std::string::npos) << error->what();
}

TEST_P(ZabbixSandbox, DuplicateHostGroupIsAnApiError) {
    zbx::Client client(settings());
    client.login();
    std::string name = unique_name("concierge-client-test");
    std::string created = client.call("hostgroup.create", R"({"name":")" + name + "\"}");
    std::string id = parse(created).extract<Poco::JSON::Object::Ptr>()->getArray("groupids")->getElement<std::string>(0);
    try {
        client.call("hostgroup.create", R"({"name":")" + name + "\"}");
        ADD_FAILURE() << "created a duplicate host group";
    } catch (const zbx::ApiError& e) {
        EXPECT_EQ(e.api_code(), -32602);
        EXPECT_EQ(e.api_message(), "Invalid params.");
        EXPECT_NE(e.api_data().find("already exists"), std::string::npos) << e.api_data();
        EXPECT_EQ(std::string(e.what()), "Zabbix API error -32602: Invalid params. " + e.api_data());
        EXPECT_EQ(e.code(), ExitCode::RemoteError);
    }
    client.call("hostgroup.delete", "[\"" + id + "\"]");
}

TEST_P(ZabbixSandbox, ArrayResultIsJsonText) {
    zbx::Client client(settings());
    client.login();
    std::string groups = client.call("hostgroup.get", R"({"output":["groupid","name"],"sortfield":"name"})");
    auto array = parse(groups).extract<Poco::JSON::Array::Ptr>();
    ASSERT_GE(array->size(), 7u) << groups.substr(0, 200);  // a pristine 7.0's; 6.0 has its template groups too
    EXPECT_TRUE(array->getObject(0)->has("groupid"));
    // Keys keep the server's order.
    EXPECT_EQ(groups.rfind(R"([{"groupid":")", 0), 0u) << groups.substr(0, 80);
}

TEST_P(ZabbixSandbox, ExportReturnsTheUnescapedDocument) {
    zbx::Client client(settings());
    client.login();
    auto templates = parse(client.call("template.get", R"({"output":["templateid"],"limit":3})"))
                         .extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(templates->size(), 3u);
    std::string ids;
    for (std::size_t i = 0; i < templates->size(); ++i)
        ids += (i ? ",\"" : "\"") + templates->getObject(i)->getValue<std::string>("templateid") + "\"";
    std::string exported =
        client.call("configuration.export", R"({"format":"json","options":{"templates":[)" + ids + "]}}");
    ASSERT_EQ(exported.rfind(R"({"zabbix_export")", 0), 0u) << exported.substr(0, 80);
    auto document = parse(exported).extract<Poco::JSON::Object::Ptr>()->getObject("zabbix_export");
    EXPECT_EQ(document->getArray("templates")->size(), 3u);
}

TEST_P(ZabbixSandbox, ConcurrentCallsFromFourThreads) {
    zbx::Client client(settings());
    client.login();
    std::string expected = client.call("hostgroup.get", R"({"output":["groupid"],"sortfield":"groupid"})");
    std::vector<std::future<int>> workers;
    for (int t = 0; t < 4; ++t)
        workers.push_back(std::async(std::launch::async, [&] {
            int same = 0;
            for (int i = 0; i < 5; ++i)
                same += client.call("hostgroup.get", R"({"output":["groupid"],"sortfield":"groupid"})") == expected;
            return same;
        }));
    for (auto& worker : workers) EXPECT_EQ(worker.get(), 5);
}

// ---- HTTPS through socat -------------------------------------------------------------------

class ZabbixOverTls : public ZabbixSandbox {
protected:
    // One proxy per instance, started by its first test.
    static void TearDownTestSuite() { proxies_.clear(); }
    void SetUp() override {
        auto& proxy = proxies_[GetParam().url];
        if (!proxy) proxy = std::make_unique<concierge::test::TlsProxy>(GetParam().url);
        ASSERT_TRUE(proxy->error().empty()) << proxy->error();
        proxy_ = proxy.get();
        port_ = proxy_->port();
    }
    zbx::Settings tls_settings() const {
        auto tls = settings();
        tls.url = proxy_->url();
        return tls;
    }

    static inline std::map<std::string, std::unique_ptr<concierge::test::TlsProxy>> proxies_;
    concierge::test::TlsProxy* proxy_ = nullptr;
    int port_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Versions, ZabbixOverTls, testing::ValuesIn(concierge::test::zabbix_instances()),
                         concierge::test::instance_name);

TEST_P(ZabbixOverTls, UnknownCaIsTlsFailed) {
    zbx::Client client(tls_settings());
    auto error = version_error(client);  // accepting a certificate from an unknown CA fails here
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::TlsFailed) << error->what();
    EXPECT_NE(std::string(error->what()).find("ZBX_CA_FILE"), std::string::npos) << error->what();
}

TEST_P(ZabbixOverTls, TrustedCaWorks) {
    auto tls = tls_settings();
    tls.ca_file = proxy_->ca_file().string();
    zbx::Client client(tls);
    EXPECT_EQ(client.version().major, GetParam().major);
    client.login();
    EXPECT_GT(std::stoi(client.call("hostgroup.get", R"({"countOutput":true})")), 0);
}

TEST_P(ZabbixOverTls, WrongHostNameIsTlsFailed) {
    // The certificate names 127.0.0.1 only, not localhost.
    auto tls = tls_settings();
    tls.url = "https://localhost:" + std::to_string(port_) + "/api_jsonrpc.php";
    tls.ca_file = proxy_->ca_file().string();
    zbx::Client client(tls);
    auto error = version_error(client);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::TlsFailed) << error->what();
}

TEST_P(ZabbixOverTls, VerificationOffWorks) {
    auto tls = tls_settings();
    tls.tls_verify = false;
    zbx::Client client(tls);
    EXPECT_EQ(client.version().major, GetParam().major);
}

TEST_P(ZabbixOverTls, PlainHttpClientOnTlsPortFailsClearly) {
    auto plain = tls_settings();
    plain.url = "http://127.0.0.1:" + std::to_string(port_) + "/api_jsonrpc.php";
    plain.timeout = std::chrono::seconds(5);
    zbx::Client client(plain);
    auto error = version_error(client);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ExitCode::Unreachable) << error->what();
}

}  // namespace
