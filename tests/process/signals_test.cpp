// Ctrl-C, SIGTERM and SIGHUP in the middle of a run: the plugin is asked to stop, the run is recorded as
// interrupted, and the exit code says so. A second signal ends even a plugin that does not listen.
#include "process_runner.hpp"

#include "history/history_store.hpp"

#include <csignal>
#include <cstring>
#include <filesystem>
#include <string>
#include <gtest/gtest.h>

namespace concierge::test {
namespace {

history::Run only_run(const Sandbox& sandbox) {
    const auto runs = history::HistoryStore(sandbox.history_db()).runs({});
    EXPECT_EQ(runs.size(), 1u);
    return runs.empty() ? history::Run{} : runs.front();
}

class Signals : public ::testing::TestWithParam<int> {};

TEST_P(Signals, FirstSignalCancelsTheRunAndRecordsItInterrupted) {
    Sandbox sandbox;
    Process process({"fixture-waits", "--artifact", "partial.json"}, sandbox.env);
    ASSERT_TRUE(process.wait_for_stderr("waiting", 10'000)) << "the plugin never started";
    process.signal(GetParam());
    const auto result = process.finish();
    EXPECT_EQ(result.exit_code, 130) << result.err;
    EXPECT_NE(result.err.find("interrupted"), std::string::npos) << result.err;
    const auto run = only_run(sandbox);
    EXPECT_EQ(run.status, history::RunStatus::Interrupted);
    EXPECT_EQ(run.exit_code, 130);
    EXPECT_TRUE(run.ended_at.has_value());
}

// A closed terminal (SIGHUP) ends a run as Ctrl-C does: recorded, with what it holds
// (certificates, partial copies) removed, instead of killed outright.
INSTANTIATE_TEST_SUITE_P(SigintSigtermSighup, Signals, ::testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

TEST(Signals, SecondSignalForcesExitOfAPluginThatIgnoresTheFirst) {
    Sandbox sandbox;
    Process process({"fixture-waits", "--ignore-cancel"}, sandbox.env);
    ASSERT_TRUE(process.wait_for_stderr("waiting", 10'000));
    process.signal(SIGINT);
    EXPECT_FALSE(process.wait_for_stderr("concierge:", 300)) << "the plugin ignores the first signal";
    process.signal(SIGINT);
    const auto result = process.finish();
    EXPECT_EQ(result.exit_code, 130);
    const auto run = only_run(sandbox);
    EXPECT_EQ(run.status, history::RunStatus::Interrupted);
    EXPECT_NE(run.error.find("second signal"), std::string::npos) << run.error;
}

TEST(Signals, SecondSignalStillRemovesWhatThePluginRegistered) {
    Sandbox sandbox;
    const auto held = sandbox.dir() / "certs-like";
    Process process({"fixture-waits", "--ignore-cancel", "--hold-dir", held.string()}, sandbox.env);
    ASSERT_TRUE(process.wait_for_stderr("waiting", 10'000));
    ASSERT_TRUE(std::filesystem::is_directory(held / "inside"));
    process.signal(SIGINT);
    EXPECT_FALSE(process.wait_for_stderr("concierge:", 300)) << "the plugin ignores the first signal";
    process.signal(SIGINT);
    EXPECT_EQ(process.finish().exit_code, 130);
    EXPECT_FALSE(std::filesystem::exists(held));
}

}  // namespace
}  // namespace concierge::test
