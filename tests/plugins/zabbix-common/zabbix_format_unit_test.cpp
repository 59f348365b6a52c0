// The backup format's pieces without a server: the requests per Zabbix version (6.2+ and 7.0 paths
// the 6.0 sandbox cannot exercise), the template chunk split and merge, the staging directory.
#include "backup_dir.hpp"
#include "export_merge.hpp"
#include "export_plan.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>

namespace concierge::zabbix_format {
namespace {

namespace fs = std::filesystem;
using sdk::ExitCode;

zabbix::Version version(int major, int minor) { return {major, minor, 0, std::to_string(major) + "." + std::to_string(minor) + ".0"}; }

std::vector<std::string> keys(const std::vector<MapList>& lists) {
    std::vector<std::string> out;
    for (const auto& list : lists) out.push_back(list.key);
    return out;
}

const MapList& find(const std::vector<MapList>& lists, const std::string& key) {
    for (const auto& list : lists)
        if (list.key == key) return list;
    throw std::runtime_error("no list " + key);
}

TEST(ExportPlan, IdMapOn60HasNoTemplateGroups) {
    const auto lists = id_map_lists(version(6, 0));
    EXPECT_EQ(keys(lists), (std::vector<std::string>{"templates", "hostgroups", "hosts", "mediatypes", "usergroups",
                                                     "users", "scripts", "proxies", "images", "maps"}));
    EXPECT_NE(find(lists, "users").request.params.find("\"username\""), std::string::npos);
    EXPECT_NE(find(lists, "proxies").request.params.find("\"host\""), std::string::npos);
}

TEST(ExportPlan, IdMapOn62AddsTemplateGroups) {
    const auto lists = id_map_lists(version(6, 2));
    const auto& groups = find(lists, "templategroups");
    EXPECT_EQ(groups.request.method, "templategroup.get");
    EXPECT_EQ(groups.id_field, "groupid");
    EXPECT_EQ(keys(lists).at(2), "templategroups");
}

TEST(ExportPlan, UsersAreAliasBefore54AndProxiesNamedFrom70) {
    EXPECT_NE(find(id_map_lists(version(5, 2)), "users").request.params.find("\"alias\""), std::string::npos);
    EXPECT_EQ(find(id_map_lists(version(5, 2)), "users").request.params.find("username"), std::string::npos);
    const auto proxies = find(id_map_lists(version(7, 0)), "proxies").request.params;
    EXPECT_NE(proxies.find("\"name\""), std::string::npos);
    EXPECT_EQ(proxies.find("\"host\""), std::string::npos);
}

TEST(ExportPlan, GroupExportOptionsFollowTheVersion) {
    EXPECT_EQ(export_groups(version(6, 0), {"1", "2"}, {"9"}).params,
              R"({"format":"json","options":{"groups":["1","2"]}})");
    const auto split_groups = export_groups(version(6, 2), {"1", "2"}, {"9"});
    EXPECT_EQ(split_groups.method, "configuration.export");
    EXPECT_EQ(split_groups.params, R"({"format":"json","options":{"host_groups":["1","2"],"template_groups":["9"]}})");
    EXPECT_EQ(export_templates({}).params, R"({"format":"json","options":{"templates":[]}})");
    EXPECT_EQ(export_hosts({"10084"}).params, R"({"format":"json","options":{"hosts":["10084"]}})");
}

TEST(ExportPlan, ActionsSelectEverythingARestoreNeeds) {
    const auto request = get_actions(version(6, 0), 2);
    EXPECT_EQ(request.method, "action.get");
    const auto params = Poco::JSON::Parser().parse(request.params).extract<Poco::JSON::Object::Ptr>();
    for (const char* key : {"selectOperations", "selectRecoveryOperations", "selectUpdateOperations", "selectFilter"})
        EXPECT_EQ(params->getValue<std::string>(key), "extend") << key;
    EXPECT_EQ(params->getObject("filter")->getValue<int>("eventsource"), 2);
    EXPECT_NE(get_actions(version(3, 4), 0).params.find("selectAcknowledgeOperations"), std::string::npos);
    EXPECT_NE(get_mediatypes(version(6, 0)).params.find("selectMessageTemplates"), std::string::npos);
}

TEST(ExportPlan, SplitKeepsOrderAndBalances) {
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(std::to_string(i));
    const auto chunks = split(ids, 4);
    ASSERT_EQ(chunks.size(), 4u);
    std::vector<std::size_t> sizes;
    std::vector<std::string> joined;
    for (const auto& chunk : chunks) {
        sizes.push_back(chunk.size());
        joined.insert(joined.end(), chunk.begin(), chunk.end());
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 2, 2}));
    EXPECT_EQ(joined, ids);
    EXPECT_EQ(split({"1", "2"}, 4).size(), 2u);
    EXPECT_TRUE(split({}, 4).empty());
    EXPECT_EQ(split(ids, 0).size(), 1u);
}

TEST(ExportMerge, ConcatenatesAndDedupesSharedObjects) {
    ExportMerger merger;
    merger.add(R"({"zabbix_export":{"version":"6.0","date":"first","groups":[{"uuid":"g1","name":"Templates"}],)"
               R"("templates":[{"uuid":"t1","template":"A","url":"http://a/b"}],)"
               R"("triggers":[{"uuid":"x1","name":"spans A and B"}],"graphs":[{"uuid":"y1","name":"AB"}]}})");
    merger.add(R"({"zabbix_export":{"version":"6.0","date":"second","groups":[{"uuid":"g1","name":"Templates"},)"
               R"({"uuid":"g2","name":"Other"}],"templates":[{"uuid":"t2","template":"B"}],)"
               R"("triggers":[{"uuid":"x1","name":"spans A and B"},{"uuid":"x2","name":"B and C"}],)"
               R"("graphs":[{"uuid":"y1","name":"AB"}]}})");
    EXPECT_EQ(merger.chunks(), 2u);
    EXPECT_EQ(merger.count("templates"), 2u);
    EXPECT_EQ(merger.count("groups"), 2u);
    EXPECT_EQ(merger.count("triggers"), 2u);
    EXPECT_EQ(merger.count("graphs"), 1u);
    EXPECT_EQ(merger.count("nothing"), 0u);
    EXPECT_EQ(merger.str(),
              R"({"zabbix_export":{"version":"6.0","date":"first","groups":[{"uuid":"g1","name":"Templates"},)"
              R"({"uuid":"g2","name":"Other"}],"templates":[{"uuid":"t1","template":"A","url":"http://a/b"},)"
              R"({"uuid":"t2","template":"B"}],"triggers":[{"uuid":"x1","name":"spans A and B"},)"
              R"({"uuid":"x2","name":"B and C"}],"graphs":[{"uuid":"y1","name":"AB"}]}})");
}

TEST(ExportMerge, ArrayOnlyInALaterChunkIsKept) {
    ExportMerger merger;
    merger.add(R"({"zabbix_export":{"version":"6.0","date":"d","templates":[{"uuid":"t1"}]}})");
    merger.add(R"({"zabbix_export":{"version":"6.0","date":"d","templates":[{"uuid":"t2"}],"graphs":[{"name":"g"}]}})");
    EXPECT_EQ(merger.count("graphs"), 1u);
    EXPECT_EQ(count_in_export(merger.str(), "templates"), 2u);
}

TEST(ExportMerge, NotAnExportIsARemoteError) {
    ExportMerger merger;
    for (const char* text : {"[1]", "{\"x\":1}", "{\"zabbix_export\":", "not json"}) {
        try {
            merger.add(text);
            ADD_FAILURE() << text;
        } catch (const sdk::Error& e) {
            EXPECT_EQ(e.code(), ExitCode::RemoteError) << text;
        }
    }
    EXPECT_EQ(count_in_array("null"), 0u);
    EXPECT_EQ(count_in_array(R"([{"a":1},{"b":2}])"), 2u);
}

class Staging : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "zabbix-backup-unit-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }
    static std::string read(const fs::path& path) {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir_)) names.push_back(entry.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }
    fs::path dir_;
};

ExitCode code_of(const std::function<void()>& body) {
    try {
        body();
    } catch (const sdk::Error& e) {
        return e.code();
    }
    return ExitCode::Ok;
}

TEST_F(Staging, Sha256IsHex) {
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(Staging, MissingParentOrForeignDirectoryIsInvalidInput) {
    EXPECT_EQ(code_of([&] { StagingDir s(dir_ / "no" / "backup"); }), ExitCode::InvalidInput);
    std::ofstream(dir_ / "file") << "x";
    EXPECT_EQ(code_of([&] { StagingDir s(dir_ / "file"); }), ExitCode::InvalidInput);
    fs::create_directory(dir_ / "home");
    std::ofstream(dir_ / "home" / ".bashrc") << "x";
    EXPECT_EQ(code_of([&] { StagingDir s(dir_ / "home"); }), ExitCode::InvalidInput);
    EXPECT_TRUE(fs::exists(dir_ / "home" / ".bashrc"));
    EXPECT_EQ(entries(), (std::vector<std::string>{"file", "home"}));  // no partial directory left
}

TEST_F(Staging, UncommittedWorkIsRemoved) {
    {
        StagingDir staging(dir_ / "backup");
        staging.write("templates.json", "{}", 0);
        EXPECT_TRUE(fs::exists(staging.partial() / "templates.json"));
    }
    EXPECT_TRUE(entries().empty());
}

TEST_F(Staging, CommitReplacesTheOldBackupWhole) {
    fs::create_directory(dir_ / "backup");
    std::ofstream(dir_ / "backup" / "services.json") << "old";
    std::ofstream(dir_ / "backup" / "templates.json") << "old";
    {
        StagingDir staging(dir_ / "backup/");
        EXPECT_EQ(staging.target(), dir_ / "backup");
        const auto& record = staging.write("templates.json", "new", 7);
        EXPECT_EQ(record.size, 3u);
        EXPECT_EQ(record.count, 7u);
        EXPECT_EQ(read(dir_ / "backup" / "templates.json"), "old");  // nothing visible before commit
        staging.commit();
    }
    EXPECT_EQ(entries(), (std::vector<std::string>{"backup"}));
    EXPECT_EQ(read(dir_ / "backup" / "templates.json"), "new");
    EXPECT_FALSE(fs::exists(dir_ / "backup" / "services.json"));
}

TEST_F(Staging, ManifestListsEveryFile) {
    std::map<std::string, FileRecord> records{{"a.json", {"aa", 2, 1}}, {"b.json", {"bb", 3, 0}}};
    const auto manifest = Poco::JSON::Parser().parse(manifest_json("6.0.14", "2026-01-01T00:00:00Z", records))
                              .extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(manifest->getValue<int>("format"), 2);
    EXPECT_EQ(manifest->getValue<std::string>("zabbix_version"), "6.0.14");
    EXPECT_EQ(manifest->getObject("files")->getObject("b.json")->getValue<std::string>("sha256"), "bb");
    EXPECT_EQ(manifest->getObject("files")->getObject("a.json")->getValue<int>("size"), 2);
    EXPECT_EQ(manifest->getObject("files")->getObject("a.json")->getValue<int>("count"), 1);
}

}  // namespace
}  // namespace concierge::zabbix_format
