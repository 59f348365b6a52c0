// A plugin built against the frozen SDK 1.0 headers (tests/compat/) loads in the current core and
// every ABI 1.0 Context function still answers: options, env, config, output, artifacts, secrets.
#include "process_runner.hpp"

#include "history/history_store.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace concierge::test {
namespace {

class AbiCompat : public ::testing::Test {
protected:
    void SetUp() override {
        sandbox.env["CONCIERGE_PLUGIN_PATH"] = COMPAT_PLUGIN_DIR;
        sandbox.env["ABI10_TOKEN"] = "compat-token-value";
        const auto config = sandbox.dir() / "abi.conf";
        std::ofstream(config) << "[abi-1-0]\nnote = from the config\n";
        sandbox.env["CONCIERGE_CONFIG"] = config.string();
    }
    Sandbox sandbox;
};

TEST_F(AbiCompat, PluginBuiltAgainstSdk10IsListedAsLoadable) {
    const auto result = run_concierge({"plugins", "--output", "json"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find(R"("name":"abi-1-0","version":"1.0.0","abi":"1.0","status":"ok")"), std::string::npos)
        << result.out;
}

TEST_F(AbiCompat, PluginBuiltAgainstSdk10RunsWithEveryContextCall) {
    const auto result = run_concierge({"abi-1-0", "hello", "--times", "3", "--verbose"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("WORD    N   PATH_SET   JSON_FORMAT"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("hello   3   true       false"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("text from 1.0"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("echoed hello in run 1"), std::string::npos) << result.out;
    EXPECT_NE(result.err.find("config says from the config"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("token is ***"), std::string::npos) << result.err;
    EXPECT_EQ((result.out + result.err).find("compat-token-value"), std::string::npos);

    history::HistoryStore store(sandbox.history_db());
    const auto run = store.run(1);
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->status, history::RunStatus::Succeeded);
    EXPECT_EQ(run->summary, "echoed hello in run 1");
    const auto artifacts = store.artifacts(1);
    ASSERT_EQ(artifacts.size(), 1u);
    EXPECT_EQ(artifacts.front().name, "words.json");
    EXPECT_EQ(store.artifact_content(1, "words.json"),
              R"([{"word":"hello","n":1,"path_set":true,"json_format":false},)"
              R"({"word":"hello","n":2,"path_set":true,"json_format":false},)"
              R"({"word":"hello","n":3,"path_set":true,"json_format":false}])");
}

TEST_F(AbiCompat, PluginBuiltAgainstSdk10SeesTheJsonFormat) {
    const auto result = run_concierge({"abi-1-0", "x", "--times", "1", "-o", "json"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, "[{\"word\":\"x\",\"n\":1,\"path_set\":true,\"json_format\":true}]\n");
}

}  // namespace
}  // namespace concierge::test
