// What a plugin sees of its run: option values, output in the chosen format, logging with
// secrets masked, artifacts saved into history.
#include "runtime/run_context.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace concierge::runtime {
namespace {

namespace fs = std::filesystem;

std::string contents(std::FILE* file) {
    std::fflush(file);
    std::rewind(file);
    std::string text;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
    return text;
}

class RunContextTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("run-context-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        store_ = std::make_unique<history::HistoryStore>(dir_ / "history.db");
        run_id_ = store_->begin_run({"demo", "1.0", {}, 1, "host", "user", 1, ""});
        redactor_.add_secret("s3cr3t-value");
    }
    void TearDown() override {
        std::fclose(out_);
        std::fclose(err_);
        fs::remove_all(dir_);
    }
    RunContext make(sdk::OutputFormat format, sdk::LogLevel threshold = sdk::LogLevel::Info) {
        RunSettings settings{{{"count", "3"}, {"token", "s3cr3t-value"}}, format, threshold, "demo"};
        return RunContext(settings, config_, redactor_, cancellation_, store_.get(), run_id_, out_, err_);
    }

    fs::path dir_;
    std::unique_ptr<history::HistoryStore> store_;
    std::int64_t run_id_ = 0;
    config::ConfigFile config_ = config::ConfigFile::parse("[demo]\nzone = eu\n", "test");
    Redactor redactor_;
    Cancellation cancellation_;
    std::FILE* out_ = std::tmpfile();
    std::FILE* err_ = std::tmpfile();
};

const sdk::Table kTable{{{"name", "NAME"}, {"secret", "SECRET"}}, {{std::string("web"), std::string("s3cr3t-value")}}};

TEST_F(RunContextTest, OptionsConfigAndRunIdAreWhatTheCoreResolved) {
    auto ctx = make(sdk::OutputFormat::Table);
    EXPECT_EQ(ctx.option("count"), "3");
    EXPECT_EQ(ctx.get_int("count"), 3);
    EXPECT_EQ(ctx.option("missing"), std::nullopt);
    EXPECT_FALSE(ctx.flag("missing"));
    EXPECT_EQ(ctx.config("demo.zone"), "eu");
    EXPECT_EQ(ctx.run_id(), run_id_);
    EXPECT_THROW(ctx.require("missing"), sdk::Error);
}

TEST_F(RunContextTest, TableModePrintsAlignedTextWithSecretsMasked) {
    auto ctx = make(sdk::OutputFormat::Table);
    ASSERT_TRUE(ctx.emit_table(kTable).ok());
    ctx.emit_text("token is s3cr3t-value");
    EXPECT_EQ(contents(out_), "NAME   SECRET\nweb    ***\ntoken is ***\n");
}

TEST_F(RunContextTest, JsonModePrintsOneDocumentAndDropsText) {
    auto ctx = make(sdk::OutputFormat::Json);
    ASSERT_TRUE(ctx.emit_table(kTable).ok());
    ctx.emit_text("only for people");
    EXPECT_EQ(contents(out_), "[{\"name\":\"web\",\"secret\":\"***\"}]\n");
}

TEST_F(RunContextTest, JsonOutputMasksASecretThatJsonEscapes) {
    // Rendered, these read pa\/ss\"word-9 and caf\u00e9-secret: masking the rendered text would miss them.
    redactor_.add_secret("pa/ss\"word-9");
    redactor_.add_secret("caf\u00e9-secret");
    auto ctx = make(sdk::OutputFormat::Json);
    const sdk::Table table{{{"a", "A"}, {"b", "B"}}, {{std::string("x pa/ss\"word-9 y"), std::string("caf\u00e9-secret")}}};
    ASSERT_TRUE(ctx.emit_table(table).ok());
    EXPECT_EQ(contents(out_), "[{\"a\":\"x *** y\",\"b\":\"***\"}]\n");
}

TEST_F(RunContextTest, TableJsonIsAReportConciergeRendersSoItIsMasked) {
    auto ctx = make(sdk::OutputFormat::Table);
    const std::string report = ctx.table_json(kTable);
    EXPECT_EQ(report, "[{\"name\":\"web\",\"secret\":\"***\"}]");
    ASSERT_TRUE(ctx.save_artifact("import-steps.json", report, "application/json").ok());
    EXPECT_EQ(store_->artifact_content(run_id_, "import-steps.json"), report);
}

TEST_F(RunContextTest, ADocumentArtifactIsKeptByteForByte) {
    auto ctx = make(sdk::OutputFormat::Table);
    const std::string document = "{\"inventory\":\"s3cr3t-value\"}";
    ASSERT_TRUE(ctx.save_artifact("hosts.json", document, "application/json").ok());
    EXPECT_EQ(store_->artifact_content(run_id_, "hosts.json"), document);
}

TEST_F(RunContextTest, LogLinesNameThePluginAndLevelAndHonourTheThreshold) {
    auto ctx = make(sdk::OutputFormat::Table, sdk::LogLevel::Info);
    ctx.debug("hidden");
    ctx.info("using s3cr3t-value");
    ctx.warn("careful");
    EXPECT_EQ(contents(err_), "demo: info: using ***\ndemo: warning: careful\n");
}

TEST_F(RunContextTest, AddedSecretsAreMaskedFromThenOn) {
    auto ctx = make(sdk::OutputFormat::Table);
    ctx.add_secret("password-from-file");
    ctx.info("read password-from-file");
    ctx.set_summary("logged in with password-from-file");
    EXPECT_EQ(contents(err_), "demo: info: read ***\n");
    EXPECT_EQ(ctx.summary(), "logged in with ***");
}

TEST_F(RunContextTest, ProgressIsSilentWhenStderrIsNotATerminal) {
    auto ctx = make(sdk::OutputFormat::Table);
    ctx.progress(1, 2, "exporting");
    ctx.end_progress();
    EXPECT_EQ(contents(err_), "");
}

TEST_F(RunContextTest, VerboseProgressOffATerminalLogsEachNewStepOnce) {
    auto ctx = make(sdk::OutputFormat::Table, sdk::LogLevel::Debug);
    ctx.progress(0, 2, "exporting hosts");
    ctx.progress(1, 2, "exporting hosts");
    ctx.progress(1, 2, "exporting templates");
    ctx.end_progress();
    EXPECT_EQ(contents(err_), "demo: debug: exporting hosts\ndemo: debug: exporting templates\n");
}

TEST_F(RunContextTest, ArtifactsAreStoredWithTheRunAndTheirMediaType) {
    auto ctx = make(sdk::OutputFormat::Table);
    ctx.artifact("a.json", "{\"x\":1}");
    ASSERT_TRUE(ctx.save_artifact("notes.txt", "plain", "text/plain").ok());
    const auto artifacts = store_->artifacts(run_id_);
    ASSERT_EQ(artifacts.size(), 2u);
    EXPECT_EQ(store_->artifact_content(run_id_, "a.json"), "{\"x\":1}");
    EXPECT_EQ(artifacts[0].media_type == "text/plain" ? artifacts[0].name : artifacts[1].name, "notes.txt");
}

TEST_F(RunContextTest, ArtifactWithoutANameIsAFailedStatusNotAnException) {
    auto ctx = make(sdk::OutputFormat::Table);
    const auto status = ctx.save_artifact("", "{}", "application/json");
    EXPECT_EQ(status.code, sdk::ExitCode::Failure);
    EXPECT_NE(status.message.find("name"), std::string::npos);
}

TEST_F(RunContextTest, ReadsAnArtifactOfAnEarlierRunAndSaysWhenTheRunOrArtifactIsMissing) {
    const auto earlier = store_->begin_run({"backup", "1.0", {}, 1, "host", "user", 1, ""});
    store_->save_artifact(earlier, "templates.json", "{\"zabbix_export\":{}}", "application/json");
    auto ctx = make(sdk::OutputFormat::Table);
    EXPECT_EQ(ctx.run_artifact(earlier, "templates.json"), "{\"zabbix_export\":{}}");
    std::string content;
    auto status = ctx.read_run_artifact(earlier, "hosts.json", content);
    EXPECT_EQ(status.code, sdk::ExitCode::NotFound);
    EXPECT_NE(status.message.find("hosts.json"), std::string::npos) << status.message;
    status = ctx.read_run_artifact(earlier + 100, "templates.json", content);
    EXPECT_EQ(status.code, sdk::ExitCode::NotFound);
    EXPECT_NE(status.message.find(std::to_string(earlier + 100)), std::string::npos) << status.message;
}

TEST_F(RunContextTest, ReadsTheNewestEarlierArtifactOfThisPluginWhateverThatRunsOutcome) {
    auto ctx = make(sdk::OutputFormat::Table);
    std::int64_t from = -1;
    std::string content;
    ASSERT_TRUE(ctx.read_latest_artifact("state", from, content).ok());
    EXPECT_EQ(from, 0) << "no run saved it yet";

    const auto older = store_->begin_run({"demo", "1.0", {}, 2, "host", "user", 1, ""});
    store_->save_artifact(older, "state", "{\"n\":1}", "application/json");
    const auto newer = store_->begin_run({"demo", "1.0", {}, 3, "host", "user", 1, ""});
    store_->save_artifact(newer, "state", "{\"n\":2}", "application/json");
    store_->finish_run(newer, {history::RunStatus::Failed, 9, 4, "", ""});
    const auto other_plugin = store_->begin_run({"other", "1.0", {}, 5, "host", "user", 1, ""});
    store_->save_artifact(other_plugin, "state", "{\"n\":3}", "application/json");
    ctx.artifact("state", "{\"n\":4}");  // this run's own is not an earlier one

    ASSERT_TRUE(ctx.read_latest_artifact("state", from, content).ok());
    EXPECT_EQ(from, newer);
    EXPECT_EQ(content, "{\"n\":2}");
}

TEST_F(RunContextTest, ListsRunsNewestFirstWithTheirOutcomeAndArtifactNames) {
    const auto backup = store_->begin_run({"backup", "1.0", {}, 10, "host", "user", 1, ""});
    store_->save_artifact(backup, "manifest.json", "{}", "application/json");
    store_->finish_run(backup, {history::RunStatus::Succeeded, 0, 12, "done", ""});
    const auto scale = store_->begin_run({"compose-scale", "1.0", {}, 20, "host", "user", 1, ""});
    store_->finish_run(scale, {history::RunStatus::Failed, 10, 21, "", "stale"});
    auto ctx = make(sdk::OutputFormat::Table);

    std::vector<sdk::RunRecord> runs;
    ASSERT_TRUE(ctx.list_runs("", 10, 0, runs).ok());
    ASSERT_EQ(runs.size(), 2u) << "the run started at 1 is before `since`";
    EXPECT_EQ(runs[0].plugin, "compose-scale");
    EXPECT_EQ(runs[0].status, "failed");
    EXPECT_EQ(runs[0].exit_code, 10);
    EXPECT_EQ(runs[0].error, "stale");
    EXPECT_EQ(runs[1].id, backup);
    EXPECT_EQ(runs[1].ended_at, 12);
    EXPECT_EQ(runs[1].summary, "done");
    EXPECT_EQ(runs[1].artifacts, std::vector<std::string>{"manifest.json"});

    ASSERT_TRUE(ctx.list_runs("backup", 0, 0, runs).ok());
    ASSERT_EQ(runs.size(), 1u);
    ASSERT_TRUE(ctx.list_runs("", 0, 1, runs).ok());
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].id, scale);
}

TEST_F(RunContextTest, WithoutHistoryAnArtifactIsAWarningOnlyWhenHistoryIsNotRequired) {
    RunSettings settings{{}, sdk::OutputFormat::Table, sdk::LogLevel::Info, "demo", false};
    RunContext optional(settings, config_, redactor_, cancellation_, nullptr, 0, out_, err_);
    EXPECT_TRUE(optional.save_artifact("compose/shop/web", "{}", "application/json").ok());
    EXPECT_EQ(contents(err_), "demo: warning: artifact 'compose/shop/web' is NOT kept in history: this run has no history "
                              "(it could not be opened; see the warning above) (history.required is false)\n");
    std::optional<std::int64_t> last;
    EXPECT_EQ(optional.find_last_success("compose/shop/web", last).code, sdk::ExitCode::HistoryError);

    settings.history_required = true;
    RunContext required(settings, config_, redactor_, cancellation_, nullptr, 0, out_, err_);
    const auto status = required.save_artifact("compose/shop/web", "{}", "application/json");
    EXPECT_EQ(status.code, sdk::ExitCode::HistoryError);
    EXPECT_EQ(status.message, "cannot save the artifact: this run has no history (it could not be opened; see the warning above)");
}

TEST_F(RunContextTest, AnArtifactHistoryFailsToWriteIsAWarningWhenHistoryIsNotRequired) {
    RunSettings settings{{}, sdk::OutputFormat::Table, sdk::LogLevel::Info, "demo", false};
    RunContext ctx(settings, config_, redactor_, cancellation_, store_.get(), run_id_, out_, err_);
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "history.db").c_str(), &raw), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(raw, "DROP TABLE artifacts", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    EXPECT_TRUE(ctx.save_artifact("compose/shop/web", "{}", "application/json").ok());
    EXPECT_EQ(contents(err_), "demo: warning: artifact 'compose/shop/web' is NOT kept in history: history database: "
                              "saving artifact 'compose/shop/web' of run 1: no such table: artifacts "
                              "(history.required is false)\n");
}

TEST_F(RunContextTest, WaitForCancelReturnsFalseWhenNoSignalCame) {
    auto ctx = make(sdk::OutputFormat::Table);
    EXPECT_FALSE(ctx.wait_for_cancel(std::chrono::milliseconds(5)));
    EXPECT_FALSE(ctx.cancelled());
}

}  // namespace
}  // namespace concierge::runtime
