// Secrets as a user would find them leaking: in JSON output, where escaping changes their bytes;
// in the reports a run keeps in history; and what does not count as a secret.
#include "process_runner.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;

// JSON escapes the '/' (as "\/") and the '"': masking the rendered text would miss this one.
constexpr const char* kSecret = "pa/ss\"w0rd-4e2";

TEST(Redaction, ASecretThatJsonEscapesIsMaskedInJsonOutput) {
    Sandbox sandbox;
    sandbox.env["FIXTURE_PASSWORD"] = kSecret;
    const auto result = run_concierge({"fixture-good", std::string("at ") + kSecret, "--output", "json"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find(R"({"key":"target","value":"at ***"})"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("w0rd-4e2"), std::string::npos) << result.out;
}

TEST(Redaction, AReportKeptAsAnArtifactIsMaskedButExportsAsStored) {
    Sandbox sandbox;
    sandbox.env["FIXTURE_PASSWORD"] = kSecret;
    // fixture-good keeps its table as an artifact the way a restore keeps import-steps.json.
    ASSERT_EQ(run_concierge({"fixture-good", std::string("failed: ") + kSecret, "--artifact", "import-steps.json"}, sandbox.env)
                  .exit_code,
              0);
    const auto exported = sandbox.dir() / "exported";
    const auto result = run_concierge({"history", "export", "1", "--dir", exported.string()}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::ifstream in(exported / "import-steps.json", std::ios::binary);
    const std::string report(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(report.find(R"({"key":"target","value":"failed: ***"})"), std::string::npos) << report;
    EXPECT_EQ(report.find("w0rd-4e2"), std::string::npos) << report;
}

TEST(Redaction, AShortValueOfASecretNamedVariableIsNotASecret) {
    Sandbox sandbox;
    sandbox.env["ZBX_TOKEN"] = "web";
    const auto result = run_concierge({"fixture-good", "web"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("target           web\n"), std::string::npos) << result.out;
    EXPECT_EQ(result.err, "fixture-good: info: done with web\n");
}

}  // namespace
}  // namespace concierge::test
