// `concierge PLUGIN args`: options from every source, output formats, artifacts, and every way a
// run can fail, each with its exit code and its record in history.
#include "process_runner.hpp"

#include "history/history_store.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace concierge::test {
namespace {

using history::HistoryStore;
using history::RunStatus;

history::Run only_run(const Sandbox& sandbox) {
    HistoryStore store(sandbox.history_db());
    const auto runs = store.runs({});
    EXPECT_EQ(runs.size(), 1u);
    return runs.empty() ? history::Run{} : runs.front();
}

// The good fixture prints KEY/VALUE rows; this reads them back from its JSON output.
std::map<std::string, std::string> values_of(const std::string& json_output) {
    std::map<std::string, std::string> values;
    const auto array = Poco::JSON::Parser().parse(json_output).extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < array->size(); ++i) {
        const auto row = array->getObject(static_cast<unsigned>(i));
        values[row->getValue<std::string>("key")] = row->get("value").toString();
    }
    return values;
}

std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

TEST(PluginRun, SucceedsPrintsItsTableAndRecordsTheRun) {
    Sandbox sandbox;
    const auto result = run_concierge({"fixture-good", "web", "--count", "3", "--loud"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out.rfind("KEY", 0), 0u) << result.out;
    EXPECT_NE(result.out.find("greeted web 3 time(s)"), std::string::npos) << "summary ends a table run";
    EXPECT_NE(result.err.find("fixture-good: info: done with web"), std::string::npos) << result.err;
    const auto run = only_run(sandbox);
    EXPECT_EQ(run.plugin, "fixture-good");
    EXPECT_EQ(run.plugin_version, "1.2.3");
    EXPECT_EQ(run.status, RunStatus::Succeeded);
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.summary, "greeted web 3 time(s)");
    EXPECT_EQ(run.arguments, (std::vector<std::string>{"web", "--count", "3", "--loud"}));
    EXPECT_TRUE(run.ended_at.has_value());
    EXPECT_FALSE(run.host.empty());
    EXPECT_FALSE(run.user.empty());
}

TEST(PluginRun, JsonOutputCarriesTypedValuesAndNoSummaryLine) {
    Sandbox sandbox;
    const auto result = run_concierge({"fixture-good", "web", "-o", "json", "--delay", "2m"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto values = values_of(result.out);
    EXPECT_EQ(values.at("target"), "web");
    EXPECT_EQ(values.at("delay"), "120000") << "durations reach the plugin in milliseconds";
    EXPECT_EQ(values.at("loud"), "false");
    EXPECT_EQ(values.at("has_password"), "false");
    EXPECT_EQ(result.out.find("greeted"), std::string::npos);
}

TEST(PluginRun, OptionValuesComeFromFlagThenEnvThenConfigThenDefault) {
    Sandbox sandbox;
    write_file(sandbox.dir() / "config" / "concierge" / "config", "output = json\n[fixture-good]\nlabel = from-config\ncount = 7\n");
    auto values = values_of(run_concierge({"fixture-good", "web"}, sandbox.env).out);
    EXPECT_EQ(values.at("label"), "from-config");
    EXPECT_EQ(values.at("count"), "7");

    sandbox.env["FIXTURE_LABEL"] = "from-env";
    values = values_of(run_concierge({"fixture-good", "web"}, sandbox.env).out);
    EXPECT_EQ(values.at("label"), "from-env");

    values = values_of(run_concierge({"fixture-good", "web", "--label", "from-flag", "--count=2"}, sandbox.env).out);
    EXPECT_EQ(values.at("label"), "from-flag");
    EXPECT_EQ(values.at("count"), "2");
}

TEST(PluginRun, OutputFormatComesFromEnvironmentWhenNoFlag) {
    Sandbox sandbox;
    sandbox.env["CONCIERGE_OUTPUT"] = "json";
    const auto result = run_concierge({"fixture-good", "web"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0);
    EXPECT_EQ(values_of(result.out).at("target"), "web");
    EXPECT_EQ(run_concierge({"fixture-good", "web", "--output", "table"}, sandbox.env).out.rfind("KEY", 0), 0u);
}

TEST(PluginRun, ArtifactIsStoredWithTheRun) {
    Sandbox sandbox;
    ASSERT_EQ(run_concierge({"fixture-good", "web", "--artifact", "result.json"}, sandbox.env).exit_code, 0);
    HistoryStore store(sandbox.history_db());
    const auto run = only_run(sandbox);
    const auto artifacts = store.artifacts(run.id);
    ASSERT_EQ(artifacts.size(), 1u);
    EXPECT_EQ(artifacts[0].name, "result.json");
    EXPECT_EQ(artifacts[0].media_type, "application/json");
    const auto content = store.artifact_content(run.id, "result.json");
    EXPECT_EQ(values_of(content).at("target"), "web");
}

TEST(PluginRun, PluginErrorExitsWithItsCodeAndIsRecordedAsFailed) {
    Sandbox sandbox;
    const auto result = run_concierge({"fixture-good", "web", "--fail-with", "9"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 9);
    EXPECT_NE(result.err.find("concierge: fixture-good: failing as asked"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << "one line: " << result.err;
    const auto run = only_run(sandbox);
    EXPECT_EQ(run.status, RunStatus::Failed);
    EXPECT_EQ(run.exit_code, 9);
    EXPECT_NE(run.error.find("failing as asked"), std::string::npos);
}

TEST(PluginRun, ThrowingPluginFailsCleanlyAndIsRecorded) {
    Sandbox sandbox;
    const auto result = run_concierge({"fixture-throws"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 1);
    // The exception's text alone would not say that it is unexpected, nor what was being done.
    const std::string line = "the run stopped on an unexpected error (please report it): the fixture blew up on purpose";
    const auto run = only_run(sandbox);
    EXPECT_EQ(result.err, "concierge: fixture-throws: " + line + " (run " + std::to_string(run.id) + ")\n");
    EXPECT_EQ(run.status, RunStatus::Failed);
    EXPECT_EQ(run.error, line);
}

TEST(PluginRun, UnknownPluginExitsNotFoundAndIsRecorded) {
    Sandbox sandbox;
    const auto result = run_concierge({"no-such-plugin", "x"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_NE(result.err.find("no plugin named 'no-such-plugin'"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("concierge plugins"), std::string::npos) << "says what to do";
    const auto run = only_run(sandbox);
    EXPECT_EQ(run.plugin, "no-such-plugin");
    EXPECT_EQ(run.exit_code, 3);
    EXPECT_EQ(run.status, RunStatus::Failed);
}

TEST(PluginRun, EachRefusedPluginExitsRefusedWithOneLineAndIsRecorded) {
    for (const std::string name : {"fixture-wrong-abi", "fixture-newer-minor", "fixture-foreign-toolchain", "fixture-no-entry",
                                   "fixture-garbage", "fixture-misnamed"}) {
        Sandbox sandbox;
        const auto result = run_concierge({name}, sandbox.env);
        EXPECT_EQ(result.exit_code, 4) << name << ": " << result.err;
        EXPECT_NE(result.err.find("refused"), std::string::npos) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        const auto run = only_run(sandbox);
        EXPECT_EQ(run.exit_code, 4);
        EXPECT_EQ(run.status, RunStatus::Failed);
    }
}

TEST(PluginRun, UsageErrorsExitTwoAndAreRecorded) {
    const std::vector<std::vector<std::string>> bad{
        {"fixture-good"},                               // missing required positional
        {"fixture-good", "web", "--count", "many"},     // not an integer
        {"fixture-good", "web", "--delay", "soon"},     // not a duration
        {"fixture-good", "web", "--no-such-option"},    // unknown option
        {"fixture-good", "web", "extra"},               // too many arguments
        {"fixture-good", "web", "--cou", "2"},          // abbreviations are not accepted
    };
    for (const auto& args : bad) {
        Sandbox sandbox;
        const auto result = run_concierge(args, sandbox.env);
        EXPECT_EQ(result.exit_code, 2) << args.back() << ": " << result.err;
        EXPECT_NE(result.err.find("fixture-good --help"), std::string::npos) << result.err;
        EXPECT_EQ(only_run(sandbox).exit_code, 2);
    }
}

TEST(PluginRun, EnvironmentValueOfTheWrongTypeNamesTheVariable) {
    Sandbox sandbox;
    write_file(sandbox.dir() / "config" / "concierge" / "config", "[fixture-good]\ncount = lots\n");
    const auto result = run_concierge({"fixture-good", "web"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("config key fixture-good.count"), std::string::npos) << result.err;
}

TEST(PluginRun, SecretsNeverReachHistoryOrOutput) {
    const std::string canary = "canary-pw-7f3a9c";
    const std::string env_canary = "env-canary-51d2e8";
    Sandbox sandbox;
    sandbox.env["FIXTURE_PASSWORD"] = env_canary;
    sandbox.env["SOME_API_TOKEN"] = env_canary + "-token";
    const std::vector<std::vector<std::string>> runs{
        {"fixture-good", "web", "--password", canary},
        {"fixture-good", "web", "--password=" + canary, "--fail-with", "6"},
        {"fixture-good", "web", "--fail-with", "6"},             // the env password is echoed by the plugin's error
        {"fixture-good", env_canary + "-token"},  // a secret value typed as a plain argument
        {"fixture-good", "web", "--password", canary, "--no-such-option"},  // refused before the plugin runs
    };
    for (const auto& args : runs) {
        const auto result = run_concierge(args, sandbox.env);
        EXPECT_EQ(result.out.find(canary), std::string::npos) << result.out;
        EXPECT_EQ(result.err.find(canary), std::string::npos) << result.err;
        EXPECT_EQ(result.out.find(env_canary), std::string::npos) << result.out;
        EXPECT_EQ(result.err.find(env_canary), std::string::npos) << result.err;
    }
    const auto listing = run_concierge({"history", "--output", "json"}, sandbox.env);
    EXPECT_EQ(listing.out.find(canary), std::string::npos);
    EXPECT_NE(listing.out.find("--password=***"), std::string::npos) << listing.out;
    // Every byte of the database, WAL included.
    std::string bytes;
    for (const auto& entry : std::filesystem::directory_iterator(sandbox.history_db().parent_path())) bytes += file_bytes(entry.path());
    EXPECT_EQ(bytes.find(canary), std::string::npos);
    EXPECT_EQ(bytes.find(env_canary), std::string::npos);
}

TEST(PluginRun, SettingsOnlyOptionComesFromTheEnvironmentAndIsRefusedOnTheCommandLine) {
    Sandbox sandbox;
    const auto refused = run_concierge({"fixture-good", "web", "--api-secret", "typed-secret"}, sandbox.env);
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_EQ(refused.err.find("typed-secret"), std::string::npos) << refused.err;
    sandbox.env["FIXTURE_API_SECRET"] = "from-env-secret";
    const auto result = run_concierge({"fixture-good", "web", "-o", "json"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(values_of(result.out).at("has_api_secret"), "true");
    const auto help = run_concierge({"fixture-good", "--help"}, sandbox.env).out;
    EXPECT_NE(help.find("Settings (environment or config file only"), std::string::npos) << help;
    EXPECT_NE(help.find("api-secret"), std::string::npos);
    EXPECT_EQ(help.find("--api-secret"), std::string::npos);
}

TEST(PluginRun, HistoryPathFlagOverridesConciergeHome) {
    Sandbox sandbox;
    const auto elsewhere = sandbox.dir() / "elsewhere" / "runs.db";
    ASSERT_EQ(run_concierge({"--history", elsewhere.string(), "fixture-good", "web"}, sandbox.env).exit_code, 0);
    EXPECT_TRUE(std::filesystem::exists(elsewhere));
    EXPECT_FALSE(std::filesystem::exists(sandbox.history_db()));
}

TEST(PluginRun, HistoryDefaultsToXdgStateHome) {
    Sandbox sandbox;
    sandbox.env.erase("CONCIERGE_HOME");
    ASSERT_EQ(run_concierge({"fixture-good", "web"}, sandbox.env).exit_code, 0);
    EXPECT_TRUE(std::filesystem::exists(sandbox.dir() / "state" / "concierge" / "history.db"));
}

TEST(PluginRun, UnwritableHistoryExitsWithHistoryCode) {
    Sandbox sandbox;
    write_file(sandbox.dir() / "blocker", "a file where a directory should be");
    const auto result = run_concierge({"--history", (sandbox.dir() / "blocker" / "h.db").string(), "fixture-good", "web"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 12) << result.err;
    EXPECT_NE(result.err.find("history"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace concierge::test
