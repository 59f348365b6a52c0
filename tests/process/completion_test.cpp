// `concierge __complete`, behind the bash completion script: commands, plugin names and each
// plugin's options, all from what the commands and plugins declare. `concierge completion bash`
// and `concierge man` print the script and the manual page. (tests/process/bash_completion_test.sh
// drives the script in bash and renders the page with man.)
#include "process_runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace concierge::test {
namespace {

std::vector<std::string> complete(const Sandbox& sandbox, std::vector<std::string> words) {
    words.insert(words.begin(), "__complete");
    const auto result = run_concierge(words, sandbox.env);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::vector<std::string> lines;
    std::istringstream in(result.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

bool has(const std::vector<std::string>& words, const std::string& word) {
    return std::find(words.begin(), words.end(), word) != words.end();
}

TEST(Completion, FirstWordOffersBuiltInCommandsAndLoadablePluginNames) {
    Sandbox sandbox;
    const auto words = complete(sandbox, {""});
    for (const char* word : {"help", "history", "plugins", "plugin", "completion", "man", "fixture-good", "fixture-throws"})
        EXPECT_TRUE(has(words, word)) << word;
    EXPECT_FALSE(has(words, "fixture-garbage")) << "a refused plugin cannot run";
    EXPECT_FALSE(has(words, "fixture-wrong-abi"));
    EXPECT_FALSE(has(words, "__complete"));
}

TEST(Completion, APluginWhoseCodeAbortsIsNotOfferedAndTheOthersStillAre) {
    Sandbox sandbox;
    const auto words = complete(sandbox, {"fixture-"});
    EXPECT_TRUE(has(words, "fixture-good"));
    EXPECT_FALSE(has(words, "fixture-aborts"));
    EXPECT_TRUE(complete(sandbox, {"fixture-aborts", "--"}).empty());
    EXPECT_TRUE(has(complete(sandbox, {"fixture-good", "--"}), "--count"));
}

TEST(Completion, CandidatesStartWithTheTypedPrefix) {
    Sandbox sandbox;
    EXPECT_EQ(complete(sandbox, {"fixture-g"}), (std::vector<std::string>{"fixture-good"}));
    EXPECT_EQ(complete(sandbox, {"hist"}), (std::vector<std::string>{"history"}));
}

TEST(Completion, PluginOptionsAreTheOnesItDeclaresPlusTheGlobalOnes) {
    Sandbox sandbox;
    const auto words = complete(sandbox, {"fixture-good", "web", "--"});
    for (const char* word : {"--count", "--label", "--password", "--delay", "--loud", "--fail-with", "--output", "--verbose"})
        EXPECT_TRUE(has(words, word)) << word;
    EXPECT_FALSE(has(words, "--api-secret")) << "an option the command line may not set is not offered";
    EXPECT_EQ(complete(sandbox, {"fixture-good", "--co"}), (std::vector<std::string>{"--config", "--count"}));
}

TEST(Completion, OptionValuesAreLeftToFileCompletionExceptTheOutputFormat) {
    Sandbox sandbox;
    EXPECT_TRUE(complete(sandbox, {"fixture-good", "--label", ""}).empty());
    EXPECT_TRUE(complete(sandbox, {"--history", ""}).empty());
    EXPECT_EQ(complete(sandbox, {"fixture-good", "-o", ""}), (std::vector<std::string>{"json", "table"}));
    EXPECT_EQ(complete(sandbox, {"--output", "json", "fixture-g"}), (std::vector<std::string>{"fixture-good"}))
        << "leading global options and their values are skipped";
    EXPECT_TRUE(has(complete(sandbox, {"fixture-good", "--loud", "--"}), "--count")) << "a flag takes no value";
}

TEST(Completion, BuiltInCommandsCompleteTheirSubcommandsAndOptions) {
    Sandbox sandbox;
    EXPECT_EQ(complete(sandbox, {"history", ""}), (std::vector<std::string>{"export", "show"}));
    EXPECT_TRUE(has(complete(sandbox, {"history", "--"}), "--since"));
    EXPECT_EQ(complete(sandbox, {"history", "--status", "a"}), (std::vector<std::string>{"abandoned"}));
    EXPECT_TRUE(has(complete(sandbox, {"history", "--plugin", ""}), "fixture-good"));
    EXPECT_EQ(complete(sandbox, {"plugin", ""}), (std::vector<std::string>{"new"}));
    EXPECT_TRUE(has(complete(sandbox, {"plugin", "new", "x", "--"}), "--dir"));
    EXPECT_EQ(complete(sandbox, {"help", "fixture-go"}), (std::vector<std::string>{"fixture-good"}));
    EXPECT_EQ(complete(sandbox, {"completion", ""}), (std::vector<std::string>{"bash"}));
}

TEST(Completion, UnknownCommandOffersNothing) {
    Sandbox sandbox;
    EXPECT_TRUE(complete(sandbox, {"no-such-plugin", "--"}).empty());
}

TEST(CompletionScript, BashScriptRegistersAFunctionThatAsksConcierge) {
    Sandbox sandbox;
    const auto result = run_concierge({"completion", "bash"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("complete -o default -F _concierge concierge"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("__complete"), std::string::npos) << result.out;
}

TEST(CompletionScript, OtherShellsAreAUsageError) {
    Sandbox sandbox;
    const auto result = run_concierge({"completion", "zsh"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("bash is the only shell supported"), std::string::npos) << result.err;
}

TEST(CompletionScript, HelpSaysHowToLoadIt) {
    Sandbox sandbox;
    const auto result = run_concierge({"completion", "--help"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("source <(concierge completion bash)"), std::string::npos) << result.out;
}

TEST(ManPage, HelpSaysHowToReadItAndArgumentsAreAUsageError) {
    Sandbox sandbox;
    const auto help = run_concierge({"man", "--help"}, sandbox.env);
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("man -l <(concierge man)"), std::string::npos) << help.out;
    EXPECT_EQ(run_concierge({"man", "extra"}, sandbox.env).exit_code, 2);
}

TEST(ManPage, DocumentsCommandsGlobalOptionsAndEachPluginsOptions) {
    Sandbox sandbox;
    const auto result = run_concierge({"man"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto& page = result.out;
    EXPECT_EQ(page.find(".\\\" Generated by `concierge man`"), 0u) << page.substr(0, 200);
    for (const char* text : {".TH CONCIERGE 1", ".SH COMMANDS", ".B plugin new NAME [\\-\\-dir DIR]", ".SH GLOBAL OPTIONS",
                             "\\fB\\-\\-output\\fR, \\fB\\-o\\fR \\fIFORMAT\\fR", ".SS fixture-good",
                             "\\fB\\-\\-count\\fR, \\fB\\-c\\fR \\fIN\\fR", "how many rows (default: 1) [config: fixture-good.count]",
                             "\\fIapi-secret\\fR (environment or config file only)", ".SH EXIT STATUS", ".B 130"})
        EXPECT_NE(page.find(text), std::string::npos) << text;
    EXPECT_EQ(page.find("fixture-garbage"), std::string::npos);
}

}  // namespace
}  // namespace concierge::test
