// `concierge plugins`: every plugin on the path, with its problems, as a table or JSON.
#include "process_runner.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <map>

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

}  // namespace
}  // namespace concierge::test
