// `concierge plugins`: every plugin on the path, with its problems, as a table or JSON.
#include "process_runner.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

namespace concierge::test {
namespace {

struct Listed {
    std::string status;
    std::string problem;
    std::string path;
    std::string version;
};

std::map<std::string, Listed> list_plugins(const std::map<std::string, std::string>& env) {
    const auto result = run_concierge({"plugins", "--output", "json"}, env);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::map<std::string, Listed> listed;
    const auto array = Poco::JSON::Parser().parse(result.out).extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < array->size(); ++i) {
        const auto object = array->getObject(static_cast<unsigned>(i));
        const auto name = object->getValue<std::string>("name");
        const std::string key = listed.count(name) ? name + "#2" : name;
        listed[key] = {object->getValue<std::string>("status"), object->isNull("problem") ? "" : object->getValue<std::string>("problem"),
                       object->getValue<std::string>("path"), object->isNull("version") ? "" : object->getValue<std::string>("version")};
    }
    return listed;
}

TEST(PluginsCommand, ReportsEachBrokenPluginWithItsReason) {
    Sandbox sandbox;
    const auto listed = list_plugins(sandbox.env);
    EXPECT_EQ(listed.at("fixture-good").status, "ok");
    EXPECT_EQ(listed.at("fixture-good").version, "1.2.3");
    EXPECT_EQ(listed.at("fixture-wrong-abi").status, "refused");
    EXPECT_NE(listed.at("fixture-wrong-abi").problem.find("ABI 99.0"), std::string::npos);
    EXPECT_NE(listed.at("fixture-newer-minor").problem.find("upgrade concierge"), std::string::npos);
    EXPECT_NE(listed.at("fixture-foreign-toolchain").problem.find("toolchain"), std::string::npos);
    EXPECT_NE(listed.at("fixture-no-entry").problem.find("no 'concierge_plugin_entry' entry point"), std::string::npos);
    EXPECT_NE(listed.at("fixture-garbage").problem.find("cannot load"), std::string::npos);
    EXPECT_NE(listed.at("fixture-misnamed").problem.find("fixture-other"), std::string::npos);
    EXPECT_EQ(listed.at("fixture-throws").status, "ok");
}

TEST(PluginsCommand, ALaterPluginOfTheSameNameIsShadowed) {
    Sandbox sandbox;
    sandbox.env["CONCIERGE_PLUGIN_PATH"] = std::string(FIXTURE_PLUGIN_DIR) + ":" + FIXTURE_SHADOW_DIR;
    const auto listed = list_plugins(sandbox.env);
    EXPECT_EQ(listed.at("fixture-good").status, "ok");
    EXPECT_NE(listed.at("fixture-good").path.find(FIXTURE_PLUGIN_DIR), std::string::npos);
    EXPECT_EQ(listed.at("fixture-good#2").status, "shadowed");
    EXPECT_NE(listed.at("fixture-good#2").problem.find("shadowed by"), std::string::npos);
}

TEST(PluginsCommand, PluginPathIsSearchedInOrder) {
    Sandbox sandbox;
    sandbox.env["CONCIERGE_PLUGIN_PATH"] = std::string(FIXTURE_SHADOW_DIR) + ":" + FIXTURE_PLUGIN_DIR;
    const auto listed = list_plugins(sandbox.env);
    EXPECT_NE(listed.at("fixture-good").path.find(FIXTURE_SHADOW_DIR), std::string::npos);
    EXPECT_EQ(listed.at("fixture-good#2").status, "shadowed");
}

TEST(PluginsCommand, TableHasAHeaderAndOneLinePerPlugin) {
    Sandbox sandbox;
    const auto result = run_concierge({"plugins"}, sandbox.env);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out.rfind("NAME", 0), 0u) << result.out;
    EXPECT_NE(result.out.find("fixture-good"), std::string::npos);
    const auto lines = std::count(result.out.begin(), result.out.end(), '\n');
    EXPECT_EQ(lines, static_cast<long>(list_plugins(sandbox.env).size()) + 1);
}

// ---- trust: what others could write or own is never opened ------------------------------------

namespace fs = std::filesystem;

// A directory of its own holding the fixture whose constructor appends to $FIXTURE_MARKER.
struct MarksPlugin {
    explicit MarksPlugin(Sandbox& sandbox) : dir(sandbox.dir() / "plugins"), marker(sandbox.dir() / "marker") {
        fs::create_directory(dir);
        fs::copy_file(fs::path(FIXTURE_MARKS_DIR) / "concierge-fixture-marks.so", file());
        sandbox.env["CONCIERGE_PLUGIN_PATH"] = dir.string();
        sandbox.env["FIXTURE_MARKER"] = marker.string();
    }
    fs::path file() const { return dir / "concierge-fixture-marks.so"; }
    // How many times the plugin's code ran, in any process.
    long times_opened() const {
        std::ifstream in(marker);
        return std::count(std::istreambuf_iterator<char>(in), {}, '\n');
    }
    fs::path dir;
    fs::path marker;
};

// The listing's reason, and the run's refusal (exit 4) with the same reason; the code never ran.
void expect_refused_without_running(const Sandbox& sandbox, const MarksPlugin& plugin, const std::string& reason) {
    const auto listed = list_plugins(sandbox.env);
    EXPECT_EQ(listed.at("fixture-marks").status, "refused");
    EXPECT_EQ(listed.at("fixture-marks").problem, reason);
    const auto run = run_concierge({"fixture-marks"}, sandbox.env);
    EXPECT_EQ(run.exit_code, 4) << run.err;
    EXPECT_NE(run.err.find("refused: " + reason), std::string::npos) << run.err;
    EXPECT_EQ(plugin.times_opened(), 0) << "a refused plugin's code must never run";
}

TEST(PluginTrust, AWorldWritableDirectoryIsRefusedWithTheChmodThatFixesIt) {
    Sandbox sandbox;
    const MarksPlugin plugin(sandbox);
    fs::permissions(plugin.dir, fs::perms::all);  // 0777
    expect_refused_without_running(sandbox, plugin,
                                   plugin.dir.string() + " is writable by its group and others; chmod go-w " + plugin.dir.string());
}

TEST(PluginTrust, AWorldWritablePluginFileIsRefusedWithTheChmodThatFixesIt) {
    Sandbox sandbox;
    const MarksPlugin plugin(sandbox);
    fs::permissions(plugin.file(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::group_write |
                                       fs::perms::others_read | fs::perms::others_write);  // 0666
    expect_refused_without_running(
        sandbox, plugin, plugin.file().string() + " is writable by its group and others; chmod go-w " + plugin.file().string());
}

TEST(PluginTrust, APluginFileOwnedBySomeoneElseIsRefused) {
    if (getuid() != 0) GTEST_SKIP() << "only root can give a file away; Trust.OwnedByAnyoneButRootOrTheUserIsRefused covers the rule";
    Sandbox sandbox;
    const MarksPlugin plugin(sandbox);
    const uid_t nobody = 65534;
    ASSERT_EQ(chown(plugin.file().c_str(), nobody, nobody), 0);
    expect_refused_without_running(sandbox, plugin,
                                   plugin.file().string() + " is owned by uid 65534, neither root nor you; only root's or your own plugins are loaded");
}

// ---- listing, help and completion run no plugin code here: a child describes it, once -----------

// The line of `text` that names `word`, or nothing.
std::string line_naming(const std::string& text, const std::string& word) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.find(" " + word + " ") != std::string::npos) return line;
    return {};
}

TEST(PluginsCommand, APluginWhoseCodeAbortsIsListedBrokenAndTheOthersStillAre) {
    Sandbox sandbox;
    const auto listed = list_plugins(sandbox.env);  // exit 0, as with any broken entry
    EXPECT_EQ(listed.at("fixture-aborts").status, "broken");
    EXPECT_EQ(listed.at("fixture-aborts").problem, "its code aborted while being described (signal 6)");
    EXPECT_EQ(listed.at("fixture-good").status, "ok");
    EXPECT_EQ(listed.at("fixture-good").version, "1.2.3");
    EXPECT_EQ(listed.at("fixture-wrong-abi").status, "refused");
}

TEST(PluginsCommand, APluginWhoseCodeHangsIsListedBrokenOnceTheProbeGivesUp) {
    Sandbox sandbox;
    sandbox.env["CONCIERGE_PLUGIN_PATH"] = std::string(FIXTURE_HANGS_DIR) + ":" + FIXTURE_PLUGIN_DIR;
    const auto started = std::chrono::steady_clock::now();
    const auto listed = list_plugins(sandbox.env);
    EXPECT_EQ(listed.at("fixture-hangs").status, "broken");
    EXPECT_EQ(listed.at("fixture-hangs").problem, "its code did not finish being described within 10 s");
    EXPECT_EQ(listed.at("fixture-good").status, "ok");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(25));
}

TEST(PluginsCommand, HelpSurvivesAPluginWhoseCodeAbortsAndNamesIt) {
    Sandbox sandbox;
    const auto general = run_concierge({"help"}, sandbox.env);
    EXPECT_EQ(general.exit_code, 0) << general.err;
    EXPECT_NE(line_naming(general.out, "fixture-good").find("A well-behaved fixture"), std::string::npos) << general.out;
    EXPECT_NE(line_naming(general.out, "fixture-aborts").find("(refused: see 'concierge plugins')"), std::string::npos) << general.out;

    const auto help = run_concierge({"help", "fixture-aborts"}, sandbox.env);
    EXPECT_EQ(help.exit_code, 4);
    EXPECT_EQ(help.err, "concierge: plugin 'fixture-aborts' refused: its code aborted while being described (signal 6)\n");
    const auto own_help = run_concierge({"fixture-aborts", "--help"}, sandbox.env);
    EXPECT_EQ(own_help.exit_code, 4);
    EXPECT_NE(own_help.err.find("refused: its code aborted while being described (signal 6)"), std::string::npos) << own_help.err;

    const auto good = run_concierge({"fixture-good", "--help"}, sandbox.env);
    EXPECT_EQ(good.exit_code, 0) << good.err;
    EXPECT_EQ(good.out.rfind("Usage: concierge fixture-good [options] TARGET\n", 0), 0u) << good.out;
}

TEST(PluginCatalog, ListingHelpAndCompletionDescribeAPluginOnceUntilItsFileChanges) {
    Sandbox sandbox;
    const MarksPlugin plugin(sandbox);
    EXPECT_EQ(list_plugins(sandbox.env).at("fixture-marks").status, "ok");
    EXPECT_EQ(plugin.times_opened(), 1) << "described once, in a child process";

    EXPECT_EQ(list_plugins(sandbox.env).at("fixture-marks").version, "0.1.0");
    const auto completed = run_concierge({"__complete", "fixture-marks", "--mark"}, sandbox.env);
    EXPECT_EQ(completed.exit_code, 0) << completed.err;
    EXPECT_EQ(completed.out, "--mark-option\n");
    const auto help = run_concierge({"help", "fixture-marks"}, sandbox.env);
    EXPECT_EQ(help.exit_code, 0) << help.err;
    EXPECT_NE(help.out.find("--mark-option"), std::string::npos) << help.out;
    EXPECT_EQ(plugin.times_opened(), 1) << "the second listing, completion and help read the cache";

    fs::last_write_time(plugin.file(), fs::last_write_time(plugin.file()) + std::chrono::seconds(10));
    EXPECT_EQ(list_plugins(sandbox.env).at("fixture-marks").status, "ok");
    EXPECT_EQ(plugin.times_opened(), 2) << "a file whose time changed is described again";

    const auto run = run_concierge({"fixture-marks"}, sandbox.env);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(plugin.times_opened(), 3) << "running it loads it, as before";
}

TEST(PluginCatalog, TheCacheIsPrivateAndACorruptOneIsIgnoredAndRewritten) {
    Sandbox sandbox;
    const MarksPlugin plugin(sandbox);
    list_plugins(sandbox.env);
    const auto cache = sandbox.dir() / "cache" / "concierge" / "plugins.json";
    EXPECT_EQ(fs::status(cache.parent_path()).permissions(), fs::perms::owner_all);
    EXPECT_EQ(fs::status(cache).permissions(), fs::perms::owner_read | fs::perms::owner_write);

    std::ofstream(cache, std::ios::trunc) << "{\"core\": [truncated";
    EXPECT_EQ(list_plugins(sandbox.env).at("fixture-marks").status, "ok");
    EXPECT_EQ(plugin.times_opened(), 2) << "a corrupt cache is not believed";
    std::ifstream in(cache);
    const std::string rewritten{std::istreambuf_iterator<char>(in), {}};
    EXPECT_NO_THROW(Poco::JSON::Parser().parse(rewritten)) << rewritten;
    EXPECT_NE(rewritten.find(plugin.file().string()), std::string::npos) << rewritten;
    EXPECT_EQ(fs::status(cache).permissions(), fs::perms::owner_read | fs::perms::owner_write);
    list_plugins(sandbox.env);
    EXPECT_EQ(plugin.times_opened(), 2) << "the rewritten cache is used";

    fs::resize_file(cache, std::uintmax_t{8} << 30);  // sparse: 8 GiB of NULs that take no disk
    EXPECT_EQ(list_plugins(sandbox.env).at("fixture-marks").status, "ok");
    EXPECT_EQ(plugin.times_opened(), 3) << "a huge cache is not read, only replaced";
    EXPECT_LT(fs::file_size(cache), std::uintmax_t{1} << 20);
    std::ofstream(cache, std::ios::trunc) << std::string(2'000'000, '[') << std::string(2'000'000, ']');
    EXPECT_EQ(list_plugins(sandbox.env).at("fixture-marks").status, "ok");
    EXPECT_EQ(plugin.times_opened(), 4) << "a cache nested too deep for the parser is not believed";
}

}  // namespace
}  // namespace concierge::test
