// `concierge history`: listing with filters, details, and exporting artifacts byte for byte.
#include "process_runner.hpp"

#include "history/history_store.hpp"
#include "process/process_info.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sys/wait.h>
#include <unistd.h>

namespace concierge::test {
namespace {

Poco::JSON::Array::Ptr history_json(const Sandbox& sandbox, std::vector<std::string> args) {
    args.insert(args.begin(), "history");
    args.insert(args.end(), {"--output", "json"});
    const auto result = run_concierge(args, sandbox.env);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return Poco::JSON::Parser().parse(result.out).extract<Poco::JSON::Array::Ptr>();
}

std::vector<std::int64_t> ids(const Poco::JSON::Array::Ptr& runs) {
    std::vector<std::int64_t> result;
    for (std::size_t i = 0; i < runs->size(); ++i) result.push_back(runs->getObject(static_cast<unsigned>(i))->getValue<std::int64_t>("id"));
    return result;
}

class HistoryCommand : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(run_concierge({"fixture-good", "a", "--artifact", "doc.json"}, sandbox.env).exit_code, 0);  // run 1
        ASSERT_EQ(run_concierge({"fixture-throws"}, sandbox.env).exit_code, 1);                              // run 2
        ASSERT_EQ(run_concierge({"fixture-good", "b"}, sandbox.env).exit_code, 0);                           // run 3
    }
    Sandbox sandbox;
};

TEST_F(HistoryCommand, ListsNewestFirst) {
    EXPECT_EQ(ids(history_json(sandbox, {})), (std::vector<std::int64_t>{3, 2, 1}));
}

TEST_F(HistoryCommand, FiltersByPluginStatusAndLimit) {
    EXPECT_EQ(ids(history_json(sandbox, {"--plugin", "fixture-good"})), (std::vector<std::int64_t>{3, 1}));
    EXPECT_EQ(ids(history_json(sandbox, {"--status", "failed"})), (std::vector<std::int64_t>{2}));
    EXPECT_EQ(ids(history_json(sandbox, {"--limit", "1"})), (std::vector<std::int64_t>{3}));
}

TEST_F(HistoryCommand, SinceAcceptsAnAgeAndADate) {
    EXPECT_EQ(ids(history_json(sandbox, {"--since", "1h"})).size(), 3u);
    EXPECT_EQ(ids(history_json(sandbox, {"--since", "2999-01-01"})).size(), 0u);
    EXPECT_EQ(run_concierge({"history", "--since", "yesterday-ish"}, sandbox.env).exit_code, 2);
}

TEST_F(HistoryCommand, JsonRecordHasEveryField) {
    const auto run = history_json(sandbox, {"--limit", "1"})->getObject(0);
    for (const char* field : {"id", "plugin", "plugin_version", "status", "exit_code", "started_at", "ended_at", "duration_ms",
                              "arguments", "summary", "error", "host", "user", "pid"})
        EXPECT_TRUE(run->has(field)) << field;
    EXPECT_EQ(run->getValue<std::string>("status"), "succeeded");
    EXPECT_EQ(run->getArray("arguments")->getElement<std::string>(0), "b");
}

TEST_F(HistoryCommand, TableIsReadableOnEightyColumns) {
    const auto result = run_concierge({"history"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out.rfind("ID", 0), 0u);
    EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 4);
}

TEST_F(HistoryCommand, ShowGivesDetailsAndArtifacts) {
    const auto result = run_concierge({"history", "show", "1"}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("fixture-good 1.2.3"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("doc.json"), std::string::npos);
    const auto json = run_concierge({"history", "show", "1", "--output", "json"}, sandbox.env);
    const auto object = Poco::JSON::Parser().parse(json.out).extract<Poco::JSON::Object::Ptr>();
    const auto artifact = object->getArray("artifacts")->getObject(0);
    EXPECT_EQ(artifact->getValue<std::string>("name"), "doc.json");
    EXPECT_EQ(artifact->getValue<std::string>("sha256").size(), 64u);
}

TEST_F(HistoryCommand, UnknownRunIsNotFound) {
    const auto result = run_concierge({"history", "show", "99"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 11);
    EXPECT_NE(result.err.find("no run 99"), std::string::npos) << result.err;
    EXPECT_EQ(run_concierge({"history", "show", "abc"}, sandbox.env).exit_code, 2);
}

TEST_F(HistoryCommand, ExportWritesArtifactsBackByteIdentical) {
    const auto dir = sandbox.dir() / "exported";
    const auto result = run_concierge({"history", "export", "1", "--dir", dir.string()}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::ifstream in(dir / "doc.json", std::ios::binary);
    const std::string written{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    history::HistoryStore store(sandbox.history_db());
    EXPECT_EQ(written, store.artifact_content(1, "doc.json"));
    EXPECT_EQ(history::sha256_hex(written), store.artifacts(1).at(0).sha256);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1)
        << "no partial files are left behind";
}

TEST_F(HistoryCommand, ExportNeedsADirectory) {
    EXPECT_EQ(run_concierge({"history", "export", "1"}, sandbox.env).exit_code, 2);
}

TEST_F(HistoryCommand, RunningRowOfAVanishedProcessShowsAsAbandoned) {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);
    {
        history::HistoryStore store(sandbox.history_db());
        store.begin_run({"fixture-good", "1.2.3", {"x"}, runtime::now_millis(), runtime::host_name(), "root", child, "1"});
    }
    const auto runs = history_json(sandbox, {"--status", "abandoned"});
    ASSERT_EQ(runs->size(), 1u);
    EXPECT_EQ(runs->getObject(0)->getValue<std::string>("status"), "abandoned");
    EXPECT_EQ(history_json(sandbox, {"--status", "running"})->size(), 0u);
}

}  // namespace
}  // namespace concierge::test
