// The network clients as a user meets them, against a fake Zabbix on loopback and a fake Docker
// engine on a unix socket: what a hostile or silent remote service can and cannot do to a run.
#include "fake_server.hpp"
#include "process_runner.hpp"

#include "history/history_store.hpp"

#include <gtest/gtest.h>

#include <string>

namespace concierge::test {
namespace {

// zabbix-backup of the product's plugins, pointed at `server`.
std::vector<std::string> backup_of(Sandbox& sandbox, const FakeServer& server) {
    sandbox.env.erase("CONCIERGE_PLUGIN_PATH");
    sandbox.env["ZBX_API_HOST"] = server.url();
    sandbox.env["ZBX_USER"] = "Admin";
    sandbox.env["ZBX_PASS"] = "zabbix-pw";
    return {"zabbix-backup", "--config-dir", (sandbox.dir() / "backup").string()};
}

TEST(RemoteText, EscapeSequencesInAZabbixErrorNeverReachTheTerminal) {
    FakeServer zabbix([](const Poco::JSON::Object::Ptr&) {
        return FakeServer::Reply{200, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32500,"message":"Application error.",)"
                                      R"("data":"\u001b]0;pwned\u0007\u001b[31mdisk full\u001b[0m"}})"};
    });
    Sandbox sandbox;
    const auto result = run_concierge(backup_of(sandbox, zabbix), sandbox.env);
    EXPECT_EQ(result.exit_code, 9) << result.err;
    EXPECT_EQ(result.err, "concierge: zabbix-backup: Zabbix API error -32500: Application error. disk full (run 1)\n");
    const auto runs = history::HistoryStore(sandbox.history_db()).runs({});
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.front().error.find('\x1b'), std::string::npos) << "history show would print it";
}

}  // namespace
}  // namespace concierge::test
