// Production hardening, as a user meets it: what concierge refuses or keeps private so that
// production's keys do not leak through its files, its history or its messages.
#include "process_runner.hpp"

#include "history/history_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;

std::string everything_in(const fs::path& dir) {
    std::string all;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file()) {
            std::ifstream in(entry.path(), std::ios::binary);
            all.append(std::istreambuf_iterator<char>(in), {});
        }
    return all;
}

TEST(CredentialsInUrl, AZabbixUrlWithAPasswordIsExit2AndThePasswordIsNowhere) {
    Sandbox sandbox;
    sandbox.env.erase("CONCIERGE_PLUGIN_PATH");  // the product's plugins
    const std::string canary = "Url-Canary-5e7";
    sandbox.env["ZBX_API_HOST"] = "http://Admin:" + canary + "@127.0.0.1:1/";
    sandbox.env["ZBX_USER"] = "Admin";
    sandbox.env["ZBX_PASS"] = "zabbix";
    const auto result = run_concierge({"zabbix-backup", "--config-dir", (sandbox.dir() / "backup").string()}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("ZBX_USER and ZBX_PASS"), std::string::npos) << result.err;
    EXPECT_EQ((result.out + result.err).find(canary), std::string::npos) << result.err;
    const auto runs = history::HistoryStore(sandbox.history_db()).runs({});
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.front().exit_code, 2);
    EXPECT_EQ(everything_in(sandbox.history_db().parent_path()).find(canary), std::string::npos) << "the password is in history";
}

}  // namespace
}  // namespace concierge::test
