// zabbix-backup against each real Zabbix version of the sandbox (scripts/sandbox/zabbix.sh): the
// built `concierge zabbix-backup` run as a user runs it, and the template chunk split checked
// against one full export through the client.
#include "process_runner.hpp"
#include "zabbix_instances.hpp"

#include "backup_dir.hpp"
#include "export_merge.hpp"
#include "export_plan.hpp"

#include <concierge/zabbix/client.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <set>

#include <unistd.h>

namespace concierge::test {
namespace {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

// The earlier tool's files, and format 2's: one per object kind, images and maps.
const std::set<std::string> backup_files{
    "templates.json",     "hostgroups.json",    "hosts.json",        "mediatypes.json",        "reg_actions.json",
    "trigger_actions.json", "id_map_backup.json", "actions_data_orig.json", "manifest.json",    "proxies.json",
    "globalmacros.json",  "services.json",      "slas.json",         "roles.json",             "usergroups.json",
    "users.json",         "scripts.json",       "maintenances.json", "drules.json",            "correlations.json",
    "iconmaps.json",      "dashboards.json",    "discovery_actions.json", "internal_actions.json", "images.json",
    "maps.json"};

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

Poco::Dynamic::Var parse(const std::string& text) { return Poco::JSON::Parser(new Poco::JSON::ParseHandler(true)).parse(text); }

std::set<std::string> names_in(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

std::map<std::string, std::string> contents_of(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::directory_iterator(dir)) files[entry.path().filename().string()] = read(entry.path());
    return files;
}

class ZabbixBackup : public ::testing::TestWithParam<ZabbixInstance> {
protected:
    void SetUp() override {
        url_ = GetParam().url;
        // The build-tree binary finds the build-tree plugins by itself; the fixtures must not shadow them.
        sandbox_.env.erase("CONCIERGE_PLUGIN_PATH");
        sandbox_.env["ZBX_API_HOST"] = url_;
        sandbox_.env["ZBX_USER"] = "Admin";
        sandbox_.env["ZBX_PASS"] = "zabbix";
        sandbox_.env["ZBX_CONFIG_DIR"] = (sandbox_.dir() / "from-env").string();
        work_ = sandbox_.dir() / "work";
        fs::create_directories(work_);
    }

    ProcessResult backup(const fs::path& dir, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"zabbix-backup", "--config-dir", dir.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_concierge(args, sandbox_.env);
    }

    /// The newest run in history, as `history --output json` shows it.
    Object::Ptr last_run() {
        const auto result = run_concierge({"history", "--limit", "1", "--output", "json"}, sandbox_.env);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        auto runs = parse(result.out).extract<Array::Ptr>();
        EXPECT_EQ(runs->size(), 1u);
        return runs->getObject(0);
    }

    /// Everything but `keep` and the target's lock file in the work directory: leftovers of a
    /// staging directory.
    std::set<std::string> leftovers(const std::set<std::string>& keep) const {
        std::set<std::string> names;
        for (const auto& name : names_in(work_))
            if (!keep.count(name) && name != ".backup.lock") names.insert(name);
        return names;
    }

    void write_old_backup(const fs::path& dir) {
        fs::create_directories(dir);
        std::ofstream(dir / "templates.json") << R"({"zabbix_export":{"version":"6.0","templates":[]}})";
        std::ofstream(dir / "services.json") << "null";  // the earlier tool's "none"; ours writes []
        std::ofstream(dir / "manifest.json") << R"({"format":1,"old":true})";
    }

    /// What the run logs once it has asked the server's version.
    std::string connected() const { return "Zabbix " + GetParam().version(); }

    std::string url_;
    Sandbox sandbox_;
    fs::path work_;
};

INSTANTIATE_TEST_SUITE_P(Versions, ZabbixBackup, testing::ValuesIn(zabbix_instances()), instance_name);

TEST_P(ZabbixBackup, FullBackupHasEveryFileItsManifestAndItsArtifacts) {
    const auto dir = work_ / "backup";
    const auto result = backup(dir);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(names_in(dir), backup_files);
    EXPECT_TRUE(leftovers({"backup"}).empty());
    EXPECT_NE(result.out.find("backed up 3"), std::string::npos) << result.out;  // 325 (6.0) or 354 (7.0) templates
    EXPECT_NE(result.out.find("from " + connected() + "."), std::string::npos) << result.out;

    const auto files = contents_of(dir);
    const auto manifest = parse(files.at("manifest.json")).extract<Object::Ptr>();
    EXPECT_EQ(manifest->getValue<int>("format"), 2);
    EXPECT_EQ(manifest->getValue<std::string>("zabbix_version").rfind(GetParam().version_prefix(), 0), 0u);
    const auto listed = manifest->getObject("files");
    EXPECT_EQ(listed->size(), backup_files.size() - 1);  // all but itself
    for (const auto& [name, content] : files) {
        if (name == "manifest.json") continue;
        ASSERT_TRUE(listed->has(name)) << name;
        const auto entry = listed->getObject(name);
        EXPECT_EQ(entry->getValue<std::string>("sha256"), zabbix_format::sha256_hex(content)) << name;
        EXPECT_EQ(entry->getValue<std::size_t>("size"), content.size()) << name;
    }
    const auto templates = parse(files.at("templates.json")).extract<Object::Ptr>()->getObject("zabbix_export");
    EXPECT_EQ(templates->getArray("templates")->size(), listed->getObject("templates.json")->getValue<std::size_t>("count"));
    EXPECT_GT(templates->getArray("templates")->size(), 300u);
    const auto id_map = parse(files.at("id_map_backup.json")).extract<Object::Ptr>();
    for (const char* key : {"templates", "hostgroups", "hosts", "mediatypes", "usergroups", "users"})
        EXPECT_GT(id_map->getArray(key)->size(), 0u) << key;
    EXPECT_EQ(id_map->getArray("templates")->size(), templates->getArray("templates")->size());
    const auto actions_data = parse(files.at("actions_data_orig.json")).extract<Object::Ptr>();
    EXPECT_EQ(actions_data->getNames(), (std::vector<std::string>{"templates", "hostgroups"}));
    EXPECT_EQ(parse(files.at("trigger_actions.json")).extract<Array::Ptr>()->size(), 1u);  // the built-in one
    // A pristine server's built-in objects of the other kinds, and the names its actions need.
    EXPECT_EQ(parse(files.at("users.json")).extract<Array::Ptr>()->size(), 2u);             // Admin, guest
    EXPECT_EQ(parse(files.at("internal_actions.json")).extract<Array::Ptr>()->size(), 3u);
    EXPECT_EQ(parse(files.at("dashboards.json")).extract<Array::Ptr>()->size(), 3u);
    EXPECT_GT(parse(files.at("images.json")).extract<Object::Ptr>()->getObject("zabbix_export")->getArray("images")->size(), 100u);
    for (const char* key : {"triggers", "items", "graphs", "dchecks", "images", "maps"}) EXPECT_TRUE(id_map->has(key)) << key;

    const auto run = last_run();
    EXPECT_EQ(run->getValue<std::string>("status"), "succeeded");
    const auto exported = sandbox_.dir() / "exported";
    const auto history_export = run_concierge(
        {"history", "export", std::to_string(run->getValue<std::int64_t>("id")), "--dir", exported.string()}, sandbox_.env);
    ASSERT_EQ(history_export.exit_code, 0) << history_export.err;
    EXPECT_TRUE(contents_of(exported) == files) << "the run's artifacts differ from the backup's files";
}

TEST_P(ZabbixBackup, ReplacesAnOldBackupWhole) {
    const auto dir = work_ / "backup";
    write_old_backup(dir);
    const auto result = backup(dir, {"--concurrency", "2"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(names_in(dir), backup_files);
    EXPECT_EQ(read(dir / "services.json"), "[]");  // the old backup's is gone
    EXPECT_NE(read(dir / "manifest.json").find("\"zabbix_version\""), std::string::npos);
    EXPECT_GT(fs::file_size(dir / "templates.json"), 1000000u);
    EXPECT_TRUE(leftovers({"backup"}).empty());
}

TEST_P(ZabbixBackup, InterruptedBackupLeavesNothingAndKeepsTheOldOne) {
    const auto dir = work_ / "backup";
    write_old_backup(dir);
    const auto before = contents_of(dir);
    Process process({"zabbix-backup", "--config-dir", dir.string(), "--verbose"}, sandbox_.env);
    // --verbose off a terminal logs each step: this one is the longest (~5 s).
    ASSERT_TRUE(process.wait_for_stderr("debug: exporting templates", 30000)) << "no sign of the template export";
    EXPECT_EQ(leftovers({"backup"}).size(), 1u) << "the staging directory should exist while exporting";
    process.signal(SIGINT);
    const auto result = process.finish();
    EXPECT_EQ(result.exit_code, 130) << result.err;
    EXPECT_TRUE(leftovers({"backup"}).empty());
    EXPECT_TRUE(contents_of(dir) == before) << "the old backup changed";
    EXPECT_EQ(last_run()->getValue<std::string>("status"), "interrupted");
}

TEST_P(ZabbixBackup, CopiesLeftByKilledBackupsAreGoneAfterTheNextRun) {
    const auto dir = work_ / "backup";
    for (int kill = 0; kill < 2; ++kill) {
        Process process({"zabbix-backup", "--config-dir", dir.string(), "--verbose"}, sandbox_.env);
        ASSERT_TRUE(process.wait_for_stderr(connected(), 20000)) << "no sign of a connection";
        process.signal(SIGKILL);  // no destructor runs: the partial copy stays
        process.finish();
    }
    // The second run swept the first's copy when it started; its own stays until the next run.
    EXPECT_EQ(leftovers({"backup"}).size(), 1u) << "a killed run leaves its partial copy";
    const auto result = backup(dir);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(leftovers({"backup"}).empty()) << "the next run sweeps what killed runs left";
    EXPECT_EQ(names_in(dir), backup_files);
}

TEST_P(ZabbixBackup, TwoBackupsToOneDirectoryTakeTurns) {
    const auto dir = work_ / "backup";
    Process first({"zabbix-backup", "--config-dir", dir.string(), "--verbose"}, sandbox_.env);
    ASSERT_TRUE(first.wait_for_stderr(connected(), 20000)) << "no sign of a connection";
    Process second({"zabbix-backup", "--config-dir", dir.string()}, sandbox_.env);
    EXPECT_TRUE(second.wait_for_stderr("waiting for another backup to " + dir.string(), 10000));
    const auto first_result = first.finish();
    const auto second_result = second.finish();
    EXPECT_EQ(first_result.exit_code, 0) << first_result.err;
    EXPECT_EQ(second_result.exit_code, 0) << second_result.err;
    EXPECT_TRUE(leftovers({"backup"}).empty());
    EXPECT_EQ(names_in(dir), backup_files);
    const auto manifest = parse(read(dir / "manifest.json")).extract<Object::Ptr>()->getObject("files");
    for (const auto& name : manifest->getNames())  // one backup's files, not a mix of two
        EXPECT_EQ(manifest->getObject(name)->getValue<std::string>("sha256"), zabbix_format::sha256_hex(read(dir / name))) << name;
}

TEST_P(ZabbixBackup, WrongPasswordIsExit6AndTheCanaryIsNowhere) {
    const std::string canary = "Canary-Pa55-" + std::to_string(::getpid());
    sandbox_.env["ZBX_PASS"] = canary;
    const auto result = backup(work_ / "backup");
    EXPECT_EQ(result.exit_code, 6) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(result.out.find(canary), std::string::npos);
    EXPECT_EQ(result.err.find(canary), std::string::npos) << result.err;
    EXPECT_TRUE(leftovers({}).empty()) << "a failed backup left files behind";
    const auto run = last_run();
    EXPECT_EQ(run->getValue<std::string>("status"), "failed");
    EXPECT_EQ(run->getValue<int>("exit_code"), 6);
    for (const auto& entry : fs::directory_iterator(sandbox_.history_db().parent_path()))
        EXPECT_EQ(read(entry.path()).find(canary), std::string::npos) << entry.path();
}

TEST_P(ZabbixBackup, UnreachableHostIsExit7) {
    sandbox_.env["ZBX_API_HOST"] = "http://127.0.0.1:1/";
    const auto result = backup(work_ / "backup");
    EXPECT_EQ(result.exit_code, 7) << result.err;
    EXPECT_TRUE(leftovers({}).empty());
    EXPECT_EQ(last_run()->getValue<std::string>("status"), "failed");
}

TEST_P(ZabbixBackup, MissingParentOrForeignDirectoryIsExit5) {
    auto result = backup(work_ / "no" / "such" / "backup");
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find("does not exist"), std::string::npos) << result.err;
    fs::create_directories(work_ / "home");
    std::ofstream(work_ / "home" / "notes.txt") << "mine";
    result = backup(work_ / "home");
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_EQ(read(work_ / "home" / "notes.txt"), "mine");
    EXPECT_EQ(names_in(work_), (std::set<std::string>{"home"}));  // refused before any lock or copy
}

// ---- The split loses nothing: chunks sent concurrently and merged == one export -----------

/// An object's JSON with every graph_items array sorted: two items with the same sortorder may
/// come back in either order.
void sort_graph_items(const Poco::Dynamic::Var& value) {
    if (value.type() == typeid(Object::Ptr)) {
        Object::Ptr object = value.extract<Object::Ptr>();
        for (const auto& key : object->getNames()) {
            const auto member = object->get(key);
            if (key == "graph_items" && member.type() == typeid(Array::Ptr)) {
                const auto items = member.extract<Array::Ptr>();
                std::vector<std::string> texts;
                for (const auto& item : *items) texts.push_back(zabbix_format::to_json(item));
                std::sort(texts.begin(), texts.end());
                Array::Ptr sorted = new Array;
                for (const auto& text : texts) sorted->add(parse(text));
                object->set(key, sorted);
            } else {
                sort_graph_items(member);
            }
        }
    } else if (value.type() == typeid(Array::Ptr)) {
        for (const auto& element : *value.extract<Array::Ptr>()) sort_graph_items(element);
    }
}

/// uuid (or name) -> normalised JSON of each object under zabbix_export[key].
std::map<std::string, std::string> by_identity(const Object::Ptr& document, const std::string& key) {
    std::map<std::string, std::string> objects;
    const auto array = document->getObject("zabbix_export")->getArray(key);
    if (!array) return objects;
    for (const auto& element : *array) {
        Object::Ptr object = element.extract<Object::Ptr>();
        sort_graph_items(object);
        const std::string id = object->has("uuid") ? object->getValue<std::string>("uuid") : object->getValue<std::string>("name");
        EXPECT_TRUE(objects.emplace(id, zabbix_format::to_json(object)).second) << key << " " << id << " twice";
    }
    return objects;
}

TEST_P(ZabbixBackup, ChunkedTemplateExportEqualsOneExport) {
    zabbix::Settings settings;
    settings.url = url_;
    settings.user = "Admin";
    settings.password = "zabbix";
    settings.timeout = std::chrono::minutes(2);
    zabbix::Client client(settings);
    client.login();
    // Two templates at either end of the id list (so in the first and last chunk), with a trigger
    // that spans both: it sits at the top level of an export, and both chunks report it. (Graphs
    // cannot span templates; every graph is at the top level, and the built-in templates have many.)
    const std::string tag = std::to_string(::getpid());
    const std::string first = "AAA-split-" + tag, last = "zzz-split-" + tag;
    std::vector<std::string> created;
    auto create_template = [&](const std::string& host, const std::string& key) {
        const auto templateid = parse(client.call("template.create", R"({"host":")" + host + R"(","groups":[{"groupid":"1"}]})"))
                                    .extract<Object::Ptr>()->getArray("templateids")->getElement<std::string>(0);
        created.push_back(templateid);
        return parse(client.call("item.create", R"({"hostid":")" + templateid + R"(","name":")" + key + R"(","key_":")" + key +
                                                    R"(","type":2,"value_type":3})"))
            .extract<Object::Ptr>()->getArray("itemids")->getElement<std::string>(0);
    };
    struct Cleanup {
        zabbix::Client& client;
        std::vector<std::string>& ids;
        ~Cleanup() {
            try {
                if (!ids.empty()) client.call("template.delete", zabbix_format::json_string_array(ids));
            } catch (...) {
            }
        }
    } cleanup{client, created};
    create_template(first, "split.a");
    create_template(last, "split.z");
    client.call("trigger.create", R"({"description":"split spans )" + tag + R"(","expression":"last(/)" + first +
                                      R"(/split.a)>0 and last(/)" + last + R"(/split.z)>0"})");

    std::vector<std::string> ids;
    const auto listed = parse(client.call("template.get", R"({"output":["templateid"],"sortfield":"host"})"));
    for (const auto& element : *listed.extract<Array::Ptr>())
        ids.push_back(element.extract<Object::Ptr>()->getValue<std::string>("templateid"));
    ASSERT_GT(ids.size(), 300u);

    auto single_future = std::async(std::launch::async, [&] {
        const auto request = zabbix_format::export_templates(ids);
        return client.call(request.method, request.params);
    });
    zabbix_format::ExportMerger merger;
    const auto chunks = zabbix_format::split(ids, 4);
    ASSERT_EQ(chunks.size(), 4u);
    auto holds = [](const std::vector<std::string>& chunk, const std::string& id) {
        return std::find(chunk.begin(), chunk.end(), id) != chunk.end();
    };
    ASSERT_TRUE(holds(chunks.front(), created.front())) << "the first test template is not in the first chunk";
    ASSERT_TRUE(holds(chunks.back(), created.back())) << "the last test template is not in the last chunk";
    std::vector<std::future<std::string>> pending;
    for (const auto& chunk : chunks)
        pending.push_back(std::async(std::launch::async, [&client, chunk] {
            const auto request = zabbix_format::export_templates(chunk);
            return client.call(request.method, request.params);
        }));
    for (auto& future : pending) merger.add(future.get());
    const std::string merged_text = merger.str(), single_text = single_future.get();
    EXPECT_NE(single_text.find("split spans " + tag), std::string::npos) << "the spanning trigger is not exported";
    EXPECT_NE(merged_text.find("split spans " + tag), std::string::npos) << "the split lost the spanning trigger";
    const auto merged = parse(merged_text).extract<Object::Ptr>();
    const auto single = parse(single_text).extract<Object::Ptr>();

    EXPECT_EQ(merged->getObject("zabbix_export")->getNames(), single->getObject("zabbix_export")->getNames());
    // 6.2 split the export's "groups" of templates into "template_groups".
    const std::string groups = GetParam().at_least(6, 2) ? "template_groups" : "groups";
    for (const std::string& key : {groups, std::string("templates"), std::string("triggers"), std::string("graphs")}) {
        const auto from_chunks = by_identity(merged, key);
        const auto from_one = by_identity(single, key);
        std::set<std::string> chunk_ids, one_ids;
        for (const auto& [id, text] : from_chunks) chunk_ids.insert(id);
        for (const auto& [id, text] : from_one) one_ids.insert(id);
        EXPECT_EQ(chunk_ids, one_ids) << key;
        std::size_t differing = 0;
        for (const auto& [id, text] : from_one)
            if (from_chunks.count(id) && from_chunks.at(id) != text) ++differing;
        EXPECT_EQ(differing, 0u) << key << ": objects whose content differs";
        if (key == "templates") {
            EXPECT_EQ(from_one.size(), ids.size());
        } else if (key != groups) {
            EXPECT_GE(from_one.size(), 1u) << key << ": the test's spanning " << key << " are missing";
        }
    }
}

}  // namespace
}  // namespace concierge::test
