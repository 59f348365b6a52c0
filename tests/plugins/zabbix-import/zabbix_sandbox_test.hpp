// What the tests of zabbix-import share against the real Zabbix sandbox (scripts/sandbox/zabbix.sh):
// a restore route (from a 6.0 or 7.0 instance into a pristine one of the same or a newer version),
// every instance reset to pristine before each test and after the last, the built `concierge` run
// as a user runs it, a client for checking what it wrote. The sandbox's addresses are compile
// definitions of the test target (ZBX_SANDBOX_*_URL, ZBX_SANDBOX_SCRIPT, ZBX_SANDBOX_SCRIPT_ENV).
// When the sandbox is not up every test fails: a sandbox test that silently skips proves nothing.
#pragma once

#include "process_runner.hpp"
#include "zabbix_instances.hpp"

#include <concierge/zabbix/client.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace concierge::test {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

inline std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
inline void write(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

inline Poco::Dynamic::Var parse(const std::string& text) { return Poco::JSON::Parser().parse(text); }
inline Object::Ptr object(const std::string& text) { return parse(text).extract<Object::Ptr>(); }
inline Array::Ptr array(const std::string& text) { return parse(text).extract<Array::Ptr>(); }
inline std::string first_id(const std::string& result, const std::string& key) {
    return object(result)->getArray(key)->getElement<std::string>(0);
}

/// Resets every instance to pristine (~0.3 s each).
inline bool reset_sandbox() {
    return std::system(ZBX_SANDBOX_SCRIPT_ENV " bash '" ZBX_SANDBOX_SCRIPT "' reset all >/dev/null 2>&1") == 0;
}

/// Where a test's backup comes from and where it is restored.
struct RestoreRoute {
    std::string name;  // a test-name suffix: from60to70
    ZabbixInstance from, to;

    bool across_versions() const { return from.major != to.major || from.minor != to.minor; }
};

inline void PrintTo(const RestoreRoute& route, std::ostream* out) { *out << route.name; }
inline std::string route_name(const testing::TestParamInfo<RestoreRoute>& info) { return info.param.name; }

/// Each version into a second instance of itself.
inline std::vector<RestoreRoute> same_version_routes() {
    const auto versions = zabbix_instances();
    auto destination60 = versions[0], destination70 = versions[1];
    destination60.url = ZBX_SANDBOX_DEST_URL;
    destination70.url = ZBX_SANDBOX_V70DEST_URL;
    return {{"from60to60", versions[0], destination60}, {"from70to70", versions[1], destination70}};
}

/// The same-version routes and 6.0 into 7.0: the upgrade a restore is most often for.
inline std::vector<RestoreRoute> restore_routes() {
    auto routes = same_version_routes();
    routes.insert(routes.begin() + 1, {"from60to70", routes[0].from, routes[1].to});
    return routes;
}

class ZabbixSandboxTest : public ::testing::TestWithParam<RestoreRoute> {
protected:
    static void TearDownTestSuite() { reset_sandbox(); }  // the other sandbox tests expect pristine instances

    void SetUp() override {
        ASSERT_TRUE(reset_sandbox()) << "scripts/sandbox/zabbix.sh reset all failed: is the sandbox up? (" ZBX_SANDBOX_SCRIPT_ENV
                                        " bash scripts/sandbox/zabbix.sh up)";
        sandbox_.env.erase("CONCIERGE_PLUGIN_PATH");
        sandbox_.env["ZBX_USER"] = "Admin";
        sandbox_.env["ZBX_PASS"] = "zabbix";
        work_ = sandbox_.dir() / "work";
        fs::create_directories(work_);
    }

    zabbix::Client client(const std::string& url) {
        zabbix::Settings settings;
        settings.url = url;
        settings.user = "Admin";
        settings.password = "zabbix";
        return zabbix::Client(settings);
    }

    ProcessResult concierge(const std::string& url, std::vector<std::string> args) {
        auto env = sandbox_.env;
        env["ZBX_API_HOST"] = url;
        return run_concierge(args, env);
    }
    ProcessResult backup(const std::string& url, const fs::path& dir) {
        return concierge(url, {"zabbix-backup", "--config-dir", dir.string()});
    }
    ProcessResult import(const std::string& url, std::vector<std::string> args) {
        args.insert(args.begin(), "zabbix-import");
        return concierge(url, args);
    }

    Object::Ptr last_run() {
        const auto result = run_concierge({"history", "--limit", "1", "--output", "json"}, sandbox_.env);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return array(result.out)->getObject(0);
    }
    /// Exit 5 with a one-line message naming the file, before anything is sent: the API host is
    /// unreachable, which would be exit 7 had the import tried to connect.
    /// The message holds each of `wanted` (a file's name, then what is wrong after its position).
    void expect_invalid(const fs::path& dir, const std::vector<std::string>& wanted) {
        const auto result = import("http://127.0.0.1:1/", {"--config-dir", dir.string()});
        EXPECT_EQ(result.exit_code, 5) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        for (const auto& piece : wanted) EXPECT_NE(result.err.find(piece), std::string::npos) << piece << " not in " << result.err;
        expect_failed_run(5);
    }
    void expect_invalid(const fs::path& dir, const std::string& wanted) { expect_invalid(dir, std::vector<std::string>{wanted}); }
    void expect_failed_run(int exit_code) {
        const auto run = last_run();
        EXPECT_EQ(run->getValue<std::string>("plugin"), "zabbix-import");
        EXPECT_EQ(run->getValue<std::string>("status"), "failed");
        EXPECT_EQ(run->getValue<int>("exit_code"), exit_code);
    }

    std::string source_url_ = GetParam().from.url, dest_url_ = GetParam().to.url;
    Sandbox sandbox_;
    fs::path work_;
};

}  // namespace concierge::test
