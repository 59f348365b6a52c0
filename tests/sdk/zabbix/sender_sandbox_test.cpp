// The sender against the sandbox's real Zabbix 6.0 server: what its trapper accepts, refuses and
// stores, counted as the server counts it.
#include "../../support/sandbox_objects.hpp"
#include "../../support/zabbix_admin.hpp"
#include "../../support/zabbix_server_sandbox.hpp"

#include <concierge/zabbix/sender.hpp>

#include <gtest/gtest.h>

#include <ctime>

namespace concierge::test {
namespace {

class SenderSandbox : public testing::Test {
protected:
    void SetUp() override {
        zabbix_ = admin_client(ZBX_SANDBOX_SOURCE_URL);
        host_ = unique_name("concierge-sender");
        host_id_ = first_id(zabbix_->call("host.create", "{\"host\":\"" + host_ + "\",\"groups\":[{\"groupid\":\"2\"}]}"), "hostids");
        item_id_ = first_id(zabbix_->call("item.create", "{\"hostid\":\"" + host_id_ +
                                                            "\",\"name\":\"load\",\"key_\":\"app.load\",\"type\":2,\"value_type\":3}"),
                            "itemids");
        ASSERT_TRUE(reload_zabbix_server());
        settings_.server = "127.0.0.1:" + std::to_string(ZBX_SANDBOX_TRAPPER_PORT);
    }

    void TearDown() override {
        if (!host_id_.empty()) zabbix_->call("host.delete", "[\"" + host_id_ + "\"]");
    }

    std::string stored() {
        return zabbix_->call("history.get", "{\"output\":[\"value\",\"clock\"],\"history\":3,\"itemids\":[\"" + item_id_ +
                                                "\"],\"sortfield\":\"clock\",\"sortorder\":\"ASC\"}");
    }

    std::unique_ptr<zabbix::Client> zabbix_;
    std::string host_, host_id_, item_id_;
    zabbix::SenderSettings settings_;
    // Recent enough for the item's history period (the server keeps nothing older).
    const std::int64_t clock_ = std::time(nullptr) - 60;
};

TEST_F(SenderSandbox, ATrapperValueIsProcessedAndStoredWithTheClockItWasSentWith) {
    const auto sent = zabbix::Sender(settings_).send({{.host = host_, .key = "app.load", .value = "42", .clock = clock_}});
    EXPECT_EQ(sent.processed, 1) << sent.info;
    EXPECT_EQ(sent.failed, 0);
    std::string history;
    ASSERT_TRUE(eventually([&] { return (history = stored()) != "[]"; })) << "the value never reached history";
    EXPECT_EQ(history, R"([{"value":"42","clock":")" + std::to_string(clock_) + "\"}]");
}

TEST_F(SenderSandbox, ValuesTheServerRefusesAreCountedFailedNotThrown) {
    const auto sent = zabbix::Sender(settings_).send({{.host = "no-such-" + host_, .key = "app.load", .value = "1"},
                                                      {.host = host_, .key = "no.such.key", .value = "1"},
                                                      {.host = host_, .key = "app.load", .value = "7"}});
    EXPECT_EQ(sent.processed, 1) << sent.info;
    EXPECT_EQ(sent.failed, 2) << sent.info;
    EXPECT_EQ(sent.total, 3);
}

TEST_F(SenderSandbox, ALargeBatchGoesInRequestsOf250AndEveryValueLands) {
    std::vector<zabbix::TrapperValue> values;
    for (int i = 0; i < 600; ++i)
        values.push_back({.host = host_, .key = "app.load", .value = std::to_string(i), .clock = clock_ - 600 + i});
    const auto sent = zabbix::Sender(settings_).send(values);
    EXPECT_EQ(sent.requests, 3);
    EXPECT_EQ(sent.processed, 600) << sent.info;
    ASSERT_TRUE(eventually([&] { return stored().find("\"599\"") != std::string::npos; }));
    EXPECT_NE(stored().find(R"({"value":"0","clock":")" + std::to_string(clock_ - 600) + "\"}"), std::string::npos);
}

}  // namespace
}  // namespace concierge::test
