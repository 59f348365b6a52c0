// TLS material read from the host inventories of each real Zabbix version of the sandbox
// (scripts/sandbox/zabbix.sh): exactly one host must carry the component's alias.
#include <concierge/zabbix/inventory_certs.hpp>

#include "../fake_context.hpp"
#include "sandbox_objects.hpp"
#include "test_pem.hpp"
#include "zabbix_instances.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace zbx = concierge::zabbix;
using concierge::sdk::ExitCode;

namespace {

using concierge::test::json_text;
using concierge::test::unique_name;
class InventoryCertsSandbox : public testing::TestWithParam<concierge::test::ZabbixInstance> {
protected:
    void SetUp() override {
        zbx::Settings settings;
        settings.url = GetParam().url;
        settings.user = "Admin";
        settings.password = "zabbix";
        client_ = std::make_unique<zbx::Client>(settings);
        client_->login();
        const auto group = Poco::JSON::Parser().parse(client_->call("hostgroup.create", R"({"name":")" + unique_name("certs") + R"("})"));
        group_id_ = group.extract<Poco::JSON::Object::Ptr>()->getArray("groupids")->getElement<std::string>(0);
        const auto client_pem = concierge::test::make_test_pem("client");
        material_ = {client_pem.key, concierge::test::make_test_pem("ca").cert, client_pem.cert};
    }

    // A host whose inventory holds the material under the earlier tool's fields.
    void create_host(const std::string& alias) {
        Poco::JSON::Object inventory;
        inventory.set("alias", alias);
        inventory.set("notes", material_.key);
        inventory.set("poc_1_notes", material_.ca);
        inventory.set("poc_2_notes", material_.cert);
        Poco::JSON::Object group;
        group.set("groupid", group_id_);
        Poco::JSON::Array groups;
        groups.add(group);
        Poco::JSON::Object host;
        host.set("host", unique_name("certs-host"));
        host.set("groups", groups);
        host.set("inventory_mode", 0);
        host.set("inventory", inventory);
        client_->call("host.create", json_text(host));
    }

    ExitCode fetch_error(const std::string& alias, std::string* message) {
        try {
            zbx::fetch_inventory_certs(*client_, alias, {});
        } catch (const concierge::sdk::Error& e) {
            *message = e.what();
            return e.code();
        }
        return ExitCode::Ok;
    }

    std::unique_ptr<zbx::Client> client_;
    std::string group_id_;
    zbx::TlsMaterial material_;
};

INSTANTIATE_TEST_SUITE_P(Versions, InventoryCertsSandbox, testing::ValuesIn(concierge::test::zabbix_instances()),
                         concierge::test::instance_name);

TEST_P(InventoryCertsSandbox, TheOneHostWithTheAliasGivesKeyCaAndCertFromTheEarlierToolsFields) {
    const std::string alias = unique_name("consul");
    create_host(alias);
    create_host(alias + "-other");  // a longer alias that the substring search also finds
    const auto fetched = zbx::fetch_inventory_certs(*client_, alias, {});
    EXPECT_EQ(fetched.key, material_.key);
    EXPECT_EQ(fetched.ca, material_.ca);
    EXPECT_EQ(fetched.cert, material_.cert);
}

// A second Ctrl-C ends the process without destructors: the core must know the directory to delete.
TEST_P(InventoryCertsSandbox, CertificateDirectoryIsRegisteredForRemovalOnAForcedExit) {
    const std::string alias = unique_name("forced");
    create_host(alias);
    concierge::test::FakeContext ctx;
    ctx.options = {{"certs-from-zabbix", "true"}, {"zabbix-api-host", GetParam().url},
                   {"zabbix-user", "Admin"}, {"zabbix-password", "zabbix"}};
    const auto certs = zbx::certs_from_inventory(ctx, alias);
    ASSERT_TRUE(certs.has_value());
    EXPECT_EQ(ctx.forced_exit_paths, std::vector<std::string>{certs->path().string()});
    EXPECT_THAT(ctx.secrets, ::testing::Contains(material_.key));
}

TEST_P(InventoryCertsSandbox, NoHostWithTheAliasIsNotFound) {
    std::string message;
    EXPECT_EQ(fetch_error(unique_name("absent"), &message), ExitCode::NotFound);
    EXPECT_NE(message.find("no Zabbix host has inventory alias"), std::string::npos) << message;
}

TEST_P(InventoryCertsSandbox, SeveralHostsWithTheAliasIsAConflictNamingThem) {
    const std::string alias = unique_name("twice");
    create_host(alias);
    create_host(alias);
    std::string message;
    EXPECT_EQ(fetch_error(alias, &message), ExitCode::Conflict);
    EXPECT_NE(message.find("several Zabbix hosts"), std::string::npos) << message;
    EXPECT_NE(message.find("certs-host-"), std::string::npos) << message;
}

}  // namespace
