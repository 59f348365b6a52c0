// What a plugin sees of its run: option values, output in the chosen format, logging with
// secrets masked, artifacts saved into history.
#include "runtime/run_context.hpp"

#include <gtest/gtest.h>

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
        return RunContext(settings, config_, redactor_, cancellation_, *store_, run_id_, out_, err_);
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

TEST_F(RunContextTest, TableJsonIsTheUnmaskedDocumentForArtifacts) {
    auto ctx = make(sdk::OutputFormat::Table);
    EXPECT_EQ(ctx.table_json(kTable), "[{\"name\":\"web\",\"secret\":\"s3cr3t-value\"}]");
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

TEST_F(RunContextTest, WaitForCancelReturnsFalseWhenNoSignalCame) {
    auto ctx = make(sdk::OutputFormat::Table);
    EXPECT_FALSE(ctx.wait_for_cancel(std::chrono::milliseconds(5)));
    EXPECT_FALSE(ctx.cancelled());
}

}  // namespace
}  // namespace concierge::runtime
