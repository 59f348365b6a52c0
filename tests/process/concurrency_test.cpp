// Eight processes recording runs and artifacts in one history at once: every run is recorded and
// none fails with "database is locked".
#include "process_runner.hpp"

#include "history/history_store.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace concierge::test {
namespace {

TEST(Concurrency, EightProcessesRecordEveryRunWithoutLockErrors) {
    constexpr int kProcesses = 8;
    constexpr int kRunsEach = 5;
    Sandbox sandbox;
    for (int round = 0; round < kRunsEach; ++round) {
        std::vector<std::unique_ptr<Process>> processes;
        for (int i = 0; i < kProcesses; ++i)
            processes.push_back(std::make_unique<Process>(
                std::vector<std::string>{"fixture-good", "target-" + std::to_string(i % 2), "--artifact", "doc.json"}, sandbox.env));
        for (auto& process : processes) {
            const auto result = process->finish();
            EXPECT_EQ(result.exit_code, 0) << result.err;
            EXPECT_EQ(result.err.find("locked"), std::string::npos) << result.err;
        }
    }
    history::HistoryStore store(sandbox.history_db());
    const auto runs = store.runs({.limit = 1000});
    ASSERT_EQ(runs.size(), static_cast<std::size_t>(kProcesses * kRunsEach));
    for (const auto& run : runs) {
        EXPECT_EQ(run.status, history::RunStatus::Succeeded);
        EXPECT_EQ(store.artifacts(run.id).size(), 1u);
    }
}

}  // namespace
}  // namespace concierge::test
