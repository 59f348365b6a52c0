// The command line itself: version, help, and usage errors with their exit codes.
#include "process_runner.hpp"

#include <gtest/gtest.h>

namespace concierge::test {
namespace {

TEST(Cli, VersionPrintsVersionAbiAndToolchain) {
    Sandbox sandbox;
    const auto result = run_concierge({"--version"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("concierge 0."), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("ABI 1."), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("libstdc++"), std::string::npos) << result.out;
}

TEST(Cli, NoArgumentsPrintsHelpAndExitsWithUsageCode) {
    Sandbox sandbox;
    const auto result = run_concierge({}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.out.find("Usage: concierge"), std::string::npos);
}

TEST(Cli, HelpListsCommandsAndLoadablePluginSummaries) {
    Sandbox sandbox;
    const auto result = run_concierge({"help"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("history export ID --dir DIR"), std::string::npos);
    EXPECT_NE(result.out.find("A well-behaved fixture"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("fixture-wrong-abi"), std::string::npos);
    EXPECT_NE(result.out.find("(refused: see 'concierge plugins')"), std::string::npos);
}

TEST(Cli, PluginHelpIsGeneratedFromDeclaredOptions) {
    Sandbox sandbox;
    for (const auto& args : {std::vector<std::string>{"help", "fixture-good"}, std::vector<std::string>{"fixture-good", "--help"}}) {
        const auto result = run_concierge(args, sandbox.env);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        EXPECT_NE(result.out.find("Usage: concierge fixture-good [options] TARGET"), std::string::npos) << result.out;
        EXPECT_NE(result.out.find("-c [ --count ] N"), std::string::npos);
        EXPECT_NE(result.out.find("[env: FIXTURE_LABEL]"), std::string::npos);
        EXPECT_NE(result.out.find("Global options"), std::string::npos);
    }
}

TEST(Cli, HelpForARefusedPluginExitsWithRefusedCode) {
    Sandbox sandbox;
    const auto result = run_concierge({"help", "fixture-wrong-abi"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 4);
    EXPECT_NE(result.err.find("refused"), std::string::npos);
}

TEST(Cli, UnknownGlobalOptionIsAUsageError) {
    Sandbox sandbox;
    const auto result = run_concierge({"--frobnicate", "plugins"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("frobnicate"), std::string::npos) << result.err;
}

TEST(Cli, UnknownOutputFormatIsAUsageError) {
    Sandbox sandbox;
    const auto result = run_concierge({"--output", "yaml", "plugins"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("'table' or 'json'"), std::string::npos) << result.err;
}

TEST(Cli, MalformedConfigFileIsAnInvalidInputError) {
    Sandbox sandbox;
    const auto config = sandbox.dir() / "bad.conf";
    std::FILE* file = std::fopen(config.c_str(), "w");
    std::fputs("output json\n", file);
    std::fclose(file);
    const auto result = run_concierge({"--config", config.string(), "plugins"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 5);
    EXPECT_NE(result.err.find("bad.conf:1"), std::string::npos) << result.err;
}

TEST(Cli, MissingExplicitConfigFileIsAnInvalidInputError) {
    Sandbox sandbox;
    const auto result = run_concierge({"--config", (sandbox.dir() / "nope.conf").string(), "plugins"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 5);
    EXPECT_NE(result.err.find("no such config file"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace concierge::test
