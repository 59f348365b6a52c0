// `concierge plugin new`: what it writes, and how it refuses names and directories. Building the
// result against an installed SDK is tests/install/plugin_new_test.sh.
#include "process_runner.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;

std::string file_text(const fs::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(PluginNew, WritesAProjectNamedAfterThePlugin) {
    Sandbox sandbox;
    const auto dir = sandbox.dir() / "project";
    const auto result = run_concierge({"plugin", "new", "disk-report", "--dir", dir.string()}, sandbox.env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto cmake = file_text(dir / "CMakeLists.txt");
    EXPECT_NE(cmake.find("find_package(Concierge 0.1 CONFIG REQUIRED)"), std::string::npos) << cmake;
    EXPECT_NE(cmake.find("concierge_add_plugin(disk-report SOURCES src/disk-report.cpp INSTALL)"), std::string::npos) << cmake;
    const auto source = file_text(dir / "src" / "disk-report.cpp");
    EXPECT_NE(source.find("class DiskReport final : public Action"), std::string::npos) << source;
    EXPECT_NE(source.find(R"(CONCIERGE_PLUGIN(DiskReport, "disk-report", "0.1.0")"), std::string::npos) << source;
    EXPECT_NE(source.find(R"(.env = "DISK_REPORT_GREETING")"), std::string::npos) << source;
    EXPECT_NE(file_text(dir / "README.md").find("concierge disk-report operators"), std::string::npos);
    EXPECT_NE(result.out.find("CONCIERGE_PLUGIN_PATH=" + dir.string() + "/build concierge disk-report"), std::string::npos) << result.out;
}

TEST(PluginNew, DefaultDirectoryIsTheNameInTheCurrentDirectory) {
    Sandbox sandbox;
    const auto previous = fs::current_path();
    fs::current_path(sandbox.dir());
    const auto result = run_concierge({"plugin", "new", "probe"}, sandbox.env);
    fs::current_path(previous);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(fs::exists(sandbox.dir() / "probe" / "src" / "probe.cpp"));
}

TEST(PluginNew, NameThatCannotBeACommandIsAUsageError) {
    Sandbox sandbox;
    for (const std::string& name : std::vector<std::string>{"Disk", "disk_report", "-x", "a b", "", std::string(64, 'a')}) {
        const auto result = run_concierge({"plugin", "new", name, "--dir", (sandbox.dir() / "p").string()}, sandbox.env);
        EXPECT_EQ(result.exit_code, 2) << name;
        EXPECT_FALSE(fs::exists(sandbox.dir() / "p")) << name;
    }
    const auto result = run_concierge({"plugin", "new", "Disk", "--dir", (sandbox.dir() / "p").string()}, sandbox.env);
    EXPECT_NE(result.err.find("'Disk' is not a plugin name: use 1 to 63 lower-case letters"), std::string::npos) << result.err;
}

TEST(PluginNew, BuiltInCommandNameIsRefused) {
    Sandbox sandbox;
    const auto result = run_concierge({"plugin", "new", "history", "--dir", (sandbox.dir() / "p").string()}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("'history' is a built-in command"), std::string::npos) << result.err;
}

TEST(PluginNew, NonEmptyDirectoryIsAConflictAndStaysUntouched) {
    Sandbox sandbox;
    const auto dir = sandbox.dir() / "taken";
    fs::create_directories(dir);
    std::ofstream(dir / "CMakeLists.txt") << "mine\n";
    const auto result = run_concierge({"plugin", "new", "probe", "--dir", dir.string()}, sandbox.env);
    EXPECT_EQ(result.exit_code, 10);
    EXPECT_NE(result.err.find("exists and is not an empty directory: choose another --dir"), std::string::npos) << result.err;
    EXPECT_EQ(file_text(dir / "CMakeLists.txt"), "mine\n");
}

TEST(PluginNew, HelpNamesTheOptions) {
    Sandbox sandbox;
    const auto result = run_concierge({"plugin", "new", "--help"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("Usage: concierge plugin new NAME [--dir DIR]"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("--dir"), std::string::npos) << result.out;
}

TEST(PluginNew, UnknownSubcommandIsAUsageError) {
    Sandbox sandbox;
    const auto result = run_concierge({"plugin", "remove", "x"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("unknown 'plugin' subcommand 'remove'"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace concierge::test
