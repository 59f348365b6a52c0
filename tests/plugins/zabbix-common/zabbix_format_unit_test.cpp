// The backup format's pieces without a server: the requests per Zabbix version (6.2+ and 7.0 paths
// the 6.0 sandbox cannot exercise), the object kinds and their restore order, composite names, the
// template chunk split and merge, the staging directory, and reading and checking a backup.
#include "backup_dir.hpp"
#include "backup_set.hpp"
#include "export_merge.hpp"
#include "export_plan.hpp"
#include "object_kinds.hpp"

#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <map>

#include <sys/stat.h>
#include <unistd.h>

namespace concierge::zabbix_format {
namespace {

namespace fs = std::filesystem;
using sdk::ExitCode;

zabbix::Version version(int major, int minor) { return {major, minor, 0, std::to_string(major) + "." + std::to_string(minor) + ".0"}; }

/// The keys of id map lists or object kinds, in their order.
template <class List>
std::vector<std::string> keys(const std::vector<List>& lists) {
    std::vector<std::string> out;
    for (const auto& list : lists) out.push_back(list.key);
    return out;
}

template <class List>
const List& find(const std::vector<List>& lists, const std::string& key) {
    for (const auto& list : lists)
        if (list.key == key) return list;
    throw std::runtime_error("no list " + key);
}

Poco::JSON::Object::Ptr params_of(const Request& request) {
    return Poco::JSON::Parser().parse(request.params).extract<Poco::JSON::Object::Ptr>();
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

// ---- object kinds ----------------------------------------------------------------------------

TEST(ObjectKinds, Zabbix60KeepsEveryKindWithTheServiceTreeRolesAndFourActionFiles) {
    EXPECT_EQ(keys(object_kinds(version(6, 0))),
              (std::vector<std::string>{"proxies", "globalmacros", "services", "slas", "roles", "usergroups", "users",
                                        "scripts", "maintenances", "drules", "correlations", "iconmaps", "dashboards",
                                        "trigger_actions", "discovery_actions", "autoregistration_actions",
                                        "internal_actions"}));
}

TEST(ObjectKinds, EachActionFileHoldsTheActionsOfOneEventSource) {
    std::vector<std::pair<std::string, int>> files;
    for (const auto& kind : object_kinds(version(6, 0))) {
        if (kind.api != "action") {
            EXPECT_EQ(kind.eventsource, -1) << kind.key;
            continue;
        }
        files.emplace_back(kind.file, kind.eventsource);
        EXPECT_EQ(kind.get.method, "action.get") << kind.key;
        EXPECT_EQ(params_of(kind.get)->getObject("filter")->getValue<int>("eventsource"), kind.eventsource) << kind.key;
    }
    EXPECT_EQ(files, (std::vector<std::pair<std::string, int>>{{"trigger_actions.json", 0},
                                                                {"discovery_actions.json", 1},
                                                                {"reg_actions.json", 2},
                                                                {"internal_actions.json", 3}}));
}

TEST(ObjectKinds, EveryKindComesAfterTheKindsItsObjectsName) {
    for (const auto& v : {version(6, 0), version(7, 0)}) {
        const auto order = keys(object_kinds(v));
        auto before = [&](const std::string& named, const std::string& naming) {
            const auto first = std::find(order.begin(), order.end(), named), then = std::find(order.begin(), order.end(), naming);
            ASSERT_NE(first, order.end()) << named;
            ASSERT_NE(then, order.end()) << naming;
            EXPECT_LT(first, then) << named << " must be restored before " << naming << " (" << v.text << ")";
        };
        before("services", "roles");  // a role's rules name services
        before("roles", "users");
        before("usergroups", "users");
        before("usergroups", "scripts");
        before("proxies", "drules");
        before("iconmaps", "dashboards");
        for (const char* dashboard_ref : {"users", "usergroups", "services", "slas"}) before(dashboard_ref, "dashboards");
        for (const char* action : {"trigger_actions", "discovery_actions", "autoregistration_actions", "internal_actions"})
            for (const char* action_ref : {"scripts", "users", "usergroups", "proxies", "drules", "services"})
                before(action_ref, action);
    }
}

TEST(ObjectKinds, Zabbix60AsksRightsAndMaintenanceGroupsTheOldWay) {
    const auto kinds = object_kinds(version(6, 0));
    const auto usergroups = params_of(find(kinds, "usergroups").get);
    EXPECT_TRUE(usergroups->has("selectRights"));
    EXPECT_FALSE(usergroups->has("selectHostGroupRights"));
    const auto maintenances = params_of(find(kinds, "maintenances").get);
    EXPECT_TRUE(maintenances->has("selectGroups"));
    EXPECT_FALSE(maintenances->has("selectHostGroups"));
}

TEST(ObjectKinds, Zabbix62AsksHostAndTemplateGroupRightsAndMaintenanceHostGroups) {
    const auto kinds = object_kinds(version(6, 2));
    const auto usergroups = params_of(find(kinds, "usergroups").get);
    EXPECT_EQ(usergroups->getValue<std::string>("selectHostGroupRights"), "extend");
    EXPECT_EQ(usergroups->getValue<std::string>("selectTemplateGroupRights"), "extend");
    EXPECT_FALSE(usergroups->has("selectRights"));
    const auto maintenances = params_of(find(kinds, "maintenances").get);
    EXPECT_EQ(maintenances->getValue<std::string>("selectHostGroups"), "extend");
    EXPECT_FALSE(maintenances->has("selectGroups"));
}

TEST(ObjectKinds, ProxiesAreNamedByNameWithoutInterfaceFrom70) {
    const auto kinds60 = object_kinds(version(6, 0)), kinds70 = object_kinds(version(7, 0));
    const auto& v60 = find(kinds60, "proxies");
    EXPECT_EQ(v60.name_field, "host");
    EXPECT_EQ(params_of(v60.get)->getValue<std::string>("selectInterface"), "extend");
    const auto& v70 = find(kinds70, "proxies");
    EXPECT_EQ(v70.name_field, "name");
    EXPECT_FALSE(params_of(v70.get)->has("selectInterface"));
}

TEST(ObjectKinds, Zabbix50HasNoServicesSlasRolesOrPagedDashboardsAndNamesUsersByAlias) {
    const auto kinds = object_kinds(version(5, 0));
    for (const char* key : {"services", "slas", "roles", "dashboards"}) EXPECT_EQ(find_kind(kinds, key), nullptr) << key;
    EXPECT_EQ(find_kind(object_kinds(version(5, 2)), "dashboards"), nullptr);  // pages came in 5.4
    EXPECT_NE(find_kind(object_kinds(version(5, 4)), "dashboards"), nullptr);
    EXPECT_EQ(find(kinds, "users").name_field, "alias");
    EXPECT_NE(find_kind(kinds, "usergroups"), nullptr);
    EXPECT_EQ(find_kind(object_kinds(version(5, 2)), "services"), nullptr);
    EXPECT_NE(find_kind(object_kinds(version(5, 2)), "roles"), nullptr);
}

TEST(ObjectKinds, GlobalMacrosHaveTheirOwnCreateAndUpdateMethods) {
    const auto kinds = object_kinds(version(6, 0));
    EXPECT_EQ(find(kinds, "globalmacros").create(), "usermacro.createglobal");
    EXPECT_EQ(find(kinds, "globalmacros").update(), "usermacro.updateglobal");
    EXPECT_EQ(find(kinds, "usergroups").create(), "usergroup.create");
    EXPECT_EQ(find(kinds, "internal_actions").update(), "action.update");
}

// ---- backup file names -----------------------------------------------------------------------

TEST(BackupFiles, EveryKindsFileTheExportsAndTheManifestAreBackupFiles) {
    for (const auto& v : {version(5, 0), version(6, 0), version(7, 0)})
        for (const auto& kind : object_kinds(v)) EXPECT_TRUE(is_backup_file_name(kind.file)) << kind.file;
    for (const char* name : {"images.json", "maps.json", "manifest.json", "templates.json", "hostgroups.json", "hosts.json",
                             "mediatypes.json", "reg_actions.json", "trigger_actions.json", "id_map_backup.json",
                             "actions_data_orig.json"}) {
        EXPECT_TRUE(is_backup_file_name(name)) << name;
        EXPECT_EQ(backup_file_names().count(name), 1u) << name;
    }
}

TEST(BackupFiles, PathsAndForeignNamesAreNotBackupFiles) {
    for (const char* name : {"../x", "/dev/zero", "notes.txt", "", ".", "users.json/", "./users.json", "USERS.JSON"})
        EXPECT_FALSE(is_backup_file_name(name)) << name;
}

// ---- composite names -------------------------------------------------------------------------

Poco::JSON::Array::Ptr composite(const std::string& kind, const std::string& result) {
    return Poco::JSON::Parser().parse(composite_name_list(kind, result)).extract<Poco::JSON::Array::Ptr>();
}

std::string member(const Poco::JSON::Array::Ptr& list, unsigned index, const std::string& key) {
    return list->getObject(index)->getValue<std::string>(key);
}

TEST(CompositeNames, TriggersAreDescriptionAndExpressionKeyedByDescription) {
    const auto list = composite("triggers", R"([{"triggerid":"23133","description":"DR trigger",)"
                                            R"("expression":"last(/DR host/dr.item)>100","hosts":[{"hostid":"10562","host":"DR host"}]}])");
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ(member(list, 0, "id"), "23133");
    EXPECT_EQ(member(list, 0, "name"), "DR trigger [last(/DR host/dr.item)>100]");
    EXPECT_EQ(member(list, 0, "key"), "DR trigger");
}

TEST(CompositeNames, ItemsAndGraphsAreTheirFirstHostAndTheirKeyOrName) {
    const auto items = composite("items", R"([{"itemid":"44518","key_":"dr.item","hosts":[{"host":"DR host"},{"host":"other"}]}])");
    EXPECT_EQ(member(items, 0, "id"), "44518");
    EXPECT_EQ(member(items, 0, "name"), "DR host:dr.item");
    EXPECT_EQ(member(items, 0, "key"), "dr.item");
    const auto graphs = composite("graphs", R"([{"graphid":"2471","name":"DR graph","hosts":[{"host":"DR host"}]}])");
    EXPECT_EQ(member(graphs, 0, "id"), "2471");
    EXPECT_EQ(member(graphs, 0, "name"), "DR host:DR graph");
    EXPECT_EQ(member(graphs, 0, "key"), "DR graph");
    EXPECT_EQ(composite("items", "[]")->size(), 0u);
}

TEST(CompositeNames, AnAnswerThatIsNotAListIsARemoteError) {
    for (const char* answer : {R"({"triggerid":"1"})", "null", "\"x\"", "not json"}) {
        try {
            composite_name_list("triggers", answer);
            ADD_FAILURE() << answer;
        } catch (const sdk::Error& e) {
            EXPECT_EQ(e.code(), ExitCode::RemoteError) << answer;
            EXPECT_NE(std::string(e.what()).find("triggers"), std::string::npos) << e.what();
        }
    }
}

TEST(CompositeNames, AnAnswerWithoutTheFieldsAskedForIsARemoteError) {
    try {
        composite_name_list("triggers", R"([{"triggerid":"1"}])");
        ADD_FAILURE() << "no description or expression, yet named";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::RemoteError);
        EXPECT_NE(std::string(e.what()).find("without the fields asked for"), std::string::npos) << e.what();
    }
}

TEST(CompositeNames, DiscoveryCheckIsRuleTypeKeyAndPorts) {
    EXPECT_EQ(dcheck_name("DR discovery", "9", "system.uname", "10050"), "DR discovery: type 9, key system.uname, ports 10050");
    EXPECT_EQ(dcheck_name("DR discovery", "12", "", "0"), "DR discovery: type 12, key , ports 0");
}

TEST(CompositeNames, NameRequestsReadByIdAndFindRequestsSearchByKey) {
    const auto named = params_of(name_triggers({"1", "2"}));
    EXPECT_EQ(name_triggers({}).method, "trigger.get");
    EXPECT_EQ(named->getArray("triggerids")->size(), 2u);
    EXPECT_TRUE(named->getValue<bool>("expandExpression"));
    EXPECT_EQ(named->getArray("selectHosts")->getElement<std::string>(0), "host");  // composite names need the host
    EXPECT_EQ(name_items({"1"}, true).method, "itemprototype.get");
    EXPECT_EQ(name_graphs({"1"}, false).method, "graph.get");
    EXPECT_EQ(params_of(find_triggers({"DR trigger"}))->getObject("filter")->getArray("description")->getElement<std::string>(0),
              "DR trigger");
    EXPECT_EQ(params_of(find_items({"dr.item"}, false))->getObject("filter")->getArray("key_")->getElement<std::string>(0), "dr.item");
    EXPECT_EQ(find_items({"dr.item"}, false).method, "item.get");
    EXPECT_EQ(params_of(find_graphs({"DR graph"}, true))->getObject("filter")->getArray("name")->getElement<std::string>(0),
              "DR graph");
    EXPECT_EQ(find_graphs({"DR graph"}, true).method, "graphprototype.get");
}

TEST(CompositeNames, ActionsAndDashboardsNameTheIdsWhoseListsAreRead) {
    const auto kinds = object_kinds(zabbix::Version{7, 0, 0, "7.0"});
    ReferencedIds referenced;
    collect_referenced_ids(*find_kind(kinds, "trigger_actions"),
                           R"([{"filter":{"conditions":[{"conditiontype":"2","value":"13"},{"conditiontype":"1","value":"9"}]}}])",
                           referenced);
    collect_referenced_ids(*find_kind(kinds, "dashboards"),
                           R"([{"pages":[{"widgets":[{"fields":[{"type":"4","value":"7"},{"type":"7","value":"8"},{"type":"0","value":"1"}]}]}]}])",
                           referenced);
    collect_referenced_ids(*find_kind(kinds, "users"), R"([{"filter":{"conditions":[{"conditiontype":"2","value":"5"}]}}])", referenced);
    EXPECT_EQ(referenced, (ReferencedIds{{"triggers", {"13"}}, {"items", {"7"}}, {"graph_prototypes", {"8"}}}));

    const auto lists = name_lists(referenced);
    std::vector<std::string> keys, asked;
    for (const auto& list : lists) {
        keys.push_back(list.key);
        if (list.request) asked.push_back(list.request->method);
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"triggers", "items", "item_prototypes", "graphs", "graph_prototypes"}));
    EXPECT_EQ(asked, (std::vector<std::string>{"trigger.get", "item.get", "graphprototype.get"}));  // none for what no one names
    EXPECT_EQ(lists[4].kind, "graphs");
    EXPECT_EQ(params_of(*lists[0].request)->getArray("triggerids")->getElement<std::string>(0), "13");
}

// An action or dashboard of the wrong shape is the server's error (exit 9), not a library's
// exception (exit 1 and "Null pointer").
TEST(CompositeNames, AnObjectOfTheWrongShapeIsTheServersError) {
    const auto kinds = object_kinds(zabbix::Version{7, 0, 0, "7.0"});
    const auto code = [&kinds](const char* kind, const std::string& answer) {
        try {
            ReferencedIds referenced;
            collect_referenced_ids(*find_kind(kinds, kind), answer, referenced);
        } catch (const sdk::Error& e) {
            return e.code();
        }
        return ExitCode::Ok;
    };
    EXPECT_EQ(code("trigger_actions", R"([{"filter":{"conditions":[{"conditiontype":"2"}]}}])"), ExitCode::RemoteError);
    EXPECT_EQ(code("dashboards", R"([{"pages":[1]}])"), ExitCode::RemoteError);
    EXPECT_EQ(code("dashboards", R"([{"pages":[{"widgets":[null]}]}])"), ExitCode::RemoteError);
    EXPECT_EQ(code("dashboards", R"([{"pages":[{"widgets":[{"fields":[{"type":"4"}]}]}]}])"), ExitCode::RemoteError);
    EXPECT_EQ(code("dashboards", R"([{"pages":[{"widgets":[{"fields":[{"type":"4","value":"7"}]}]}]}])"), ExitCode::Ok);
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

/// A fresh temporary directory per test, removed after.
class TempDir : public ::testing::Test {
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

class Staging : public TempDir {};

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
    EXPECT_EQ(entries(), std::vector<std::string>{".backup.lock"});  // the lock file stays: removing it would race
}

TEST_F(Staging, CopiesLeftByKilledRunsAreSweptAndTheLockIsPrivate) {
    for (const char* left : {"backup.partial-4242", "backup.old-4243"}) {
        fs::create_directory(dir_ / left);
        std::ofstream(dir_ / left / "hosts.json") << "a full copy, keys included";
    }
    fs::create_directory(dir_ / "backup.partial-notapid");  // not ours: left alone
    fs::create_directory(dir_ / "other.partial-4244");
    {
        StagingDir staging(dir_ / "backup");
        EXPECT_EQ(entries(), (std::vector<std::string>{".backup.lock", "backup.partial-" + std::to_string(::getpid()),
                                                       "backup.partial-notapid", "other.partial-4244"}));
    }
    EXPECT_EQ(fs::status(dir_ / ".backup.lock").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(Staging, ALinkPlantedAtTheLockIsNotFollowed) {
    std::ofstream(dir_ / "victim") << "untouched";
    fs::create_symlink(dir_ / "victim", dir_ / ".backup.lock");
    EXPECT_EQ(code_of([&] { StagingDir s(dir_ / "backup"); }), ExitCode::InvalidInput);
    EXPECT_EQ(read(dir_ / "victim"), "untouched");
    EXPECT_FALSE(fs::exists(dir_ / ("backup.partial-" + std::to_string(::getpid())))) << "no copy without the lock";
}

TEST_F(Staging, ASecondBackupToTheSameDirectoryWaitsForTheFirst) {
    std::optional<StagingDir> first(std::in_place, dir_ / "backup");
    int waits = 0;
    std::string said;
    // The second waits while the first holds the lock; the waiting callback can end the wait.
    const auto code = code_of([&] {
        StagingDir second(dir_ / "backup", [&](const std::string& message) {
            said = message;
            if (++waits == 3) throw sdk::Error(ExitCode::Interrupted, "interrupted");
        });
    });
    EXPECT_EQ(code, ExitCode::Interrupted);
    EXPECT_EQ(waits, 3);
    EXPECT_EQ(said, "waiting for another backup to " + (dir_ / "backup").string() + " to finish");
    first->write("templates.json", "{}", 0);
    first->commit();
    first.reset();
    // Once the first is done, the next one goes ahead without waiting.
    StagingDir third(dir_ / "backup", [&](const std::string&) { ADD_FAILURE() << "waited for a finished backup"; });
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
    EXPECT_EQ(entries(), (std::vector<std::string>{".backup.lock", "backup"}));  // the old copy is gone too
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

// ---- backup set ------------------------------------------------------------------------------

using Files = std::map<std::string, std::string>;

const std::string templates_json =
    R"({"zabbix_export":{"version":"6.0","date":"2026-01-01T00:00:00Z","groups":[{"uuid":"g1","name":"Templates"}],)"
    R"("templates":[{"uuid":"t1","template":"A","name":"A","groups":[{"name":"Templates"}]}]}})";

/// The earlier tool's seven files.
Files seed_files() {
    return {{"templates.json", templates_json},
            {"hostgroups.json", R"({"zabbix_export":{"version":"6.0","groups":[{"uuid":"g2","name":"Linux servers"}]}})"},
            {"hosts.json", R"({"zabbix_export":{"version":"6.0","hosts":[]}})"},
            {"mediatypes.json", "null"},
            {"reg_actions.json", "null"},
            {"trigger_actions.json", "[]"},
            {"actions_data_orig.json", R"({"templates":[{"host":"A","hash":"x","templateid":"10001"}],"hostgroups":[]})"}};
}

// Excerpts of a 6.0.14 server's *.get results (research samples).
const std::string trigger_action = R"({"actionid":"7","name":"DR trigger action","eventsource":"0","status":"0"})";
const std::string discovery_action = R"({"actionid":"8","name":"DR discovery action","eventsource":"1","status":"0"})";

/// The seed files plus format 2's files per kind.
Files format2_files() {
    auto files = seed_files();
    files["trigger_actions.json"] = "[" + trigger_action + "]";
    files["discovery_actions.json"] = "[" + discovery_action + "]";
    files["users.json"] = R"([{"userid":"3","username":"dr.operator","roleid":"5","usrgrps":[{"usrgrpid":"13"}],"medias":[]}])";
    files["usergroups.json"] = R"([{"usrgrpid":"13","name":"DR operators","gui_access":"0","users_status":"0",)"
                               R"("debug_mode":"0","rights":[{"permission":"3","id":"20"}],"tag_filters":[]}])";
    return files;
}

std::string manifest_for(const Files& files) {
    std::map<std::string, FileRecord> records;
    for (const auto& [name, content] : files) records[name] = {sha256_hex(content), content.size(), 0};
    return manifest_json("6.0.14", "2026-01-01T00:00:00Z", records);
}

/// `files` with a manifest listing every one of them.
Files with_manifest(Files files) {
    files["manifest.json"] = manifest_for(files);
    return files;
}

BackupSet::Reader reader(const Files& files) {
    return [files](const std::string& name) -> std::optional<std::string> {
        const auto found = files.find(name);
        if (found == files.end()) return std::nullopt;
        return found->second;
    };
}

/// The message of the sdk::Error(InvalidInput) that `body` throws.
std::string invalid_input(const std::function<void()>& body) {
    try {
        body();
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::InvalidInput) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "accepted";
    return {};
}

void expect_invalid(const Files& files, const std::string& wanted, std::uint64_t max_file_bytes = BackupSet::default_max_file_bytes) {
    const auto message = invalid_input([&] { BackupSet set(reader(files), "directory d", max_file_bytes); });
    EXPECT_NE(message.find(wanted), std::string::npos) << "expected: " << wanted << "\ngot: " << message;
}

TEST(BackupSetTest, EarlierToolsFilesWithNullListsAndTheOldIdMapAreAccepted) {
    BackupSet set(reader(seed_files()), "directory d");
    EXPECT_FALSE(set.verified());
    EXPECT_EQ(set.source_version(), "6.0");
    EXPECT_EQ(set.file("mediatypes.json"), "[]");
    EXPECT_NE(set.file("id_map_backup.json").find("10001"), std::string::npos);
}

TEST(BackupSetTest, MissingTruncatedOrForeignFilesAreInvalidInputNamingTheFile) {
    auto files = seed_files();
    files.erase("hosts.json");
    expect_invalid(files, "has no hosts.json");
    files = seed_files();
    files["templates.json"] = templates_json.substr(0, templates_json.size() / 2);
    expect_invalid(files, "templates.json in directory d at line 1, column 98 (byte 97): not valid JSON: unexpected end of text");
    files = seed_files();
    files["hostgroups.json"] = R"({"groups":[]})";
    expect_invalid(files, "hostgroups.json in directory d at line 1, column 1 (byte 0): not a Zabbix export");
    files = seed_files();
    files["trigger_actions.json"] = R"({"actionid":"3"})";
    expect_invalid(files, "trigger_actions.json in directory d at line 1, column 1 (byte 0): should hold a JSON array (a *.get result) or null, not an object");
    files = seed_files();
    files.erase("actions_data_orig.json");
    expect_invalid(files, "has no id_map_backup.json");
}

TEST(BackupSetTest, ManifestIsVerifiedAndAChangedFileIsRefused) {
    auto files = with_manifest(seed_files());
    BackupSet set(reader(files), "run 7");
    EXPECT_TRUE(set.verified());
    EXPECT_EQ(set.source_version(), "6.0.14");
    files["hosts.json"] = R"({"zabbix_export":{"version":"6.0","hosts":[{"host":"x"}]}})";
    expect_invalid(files, "hosts.json in directory d does not match its sha256 in manifest.json");
    files = with_manifest(seed_files());
    files.erase("reg_actions.json");
    expect_invalid(files, "lacks reg_actions.json");
}

TEST(BackupSetTest, Format2FilesListedInTheManifestAreReadAndVerified) {
    BackupSet set(reader(with_manifest(format2_files())), "directory d");
    EXPECT_TRUE(set.verified());
    for (const char* name : {"users.json", "usergroups.json", "discovery_actions.json", "trigger_actions.json"})
        EXPECT_TRUE(set.has(name)) << name;
    EXPECT_FALSE(set.has("services.json"));
    EXPECT_NE(set.file("users.json").find("dr.operator"), std::string::npos);
}

TEST(BackupSetTest, AManifestNamingAPathOrAForeignFileIsRefused) {
    for (const std::string name : {"../x", "/dev/zero", "notes.txt"}) {
        auto listed = seed_files();
        listed[name] = "x";
        auto files = seed_files();
        files["manifest.json"] = manifest_for(listed);
        const auto at = manifest_for(listed).find(name);  // its key
        expect_invalid(files, "manifest.json in directory d at line 1, column " + std::to_string(at + 1) + " ");
        expect_invalid(files, ": names \"" + name + "\", which is not a backup file");
    }
}

TEST(BackupSetTest, ABackupFilePresentButNotInTheManifestIsRefusedByName) {
    auto files = with_manifest(seed_files());
    files["users.json"] = format2_files()["users.json"];
    expect_invalid(files, "directory d holds users.json, which its manifest.json does not list");
    auto unlisted = seed_files();
    unlisted.erase("templates.json");
    files = seed_files();
    files["manifest.json"] = manifest_for(unlisted);
    expect_invalid(files, "directory d holds templates.json, which its manifest.json does not list");
}

TEST(BackupSetTest, AnActionInAnotherEventSourcesFileIsRefusedNamingFileAndAction) {
    auto files = format2_files();
    files["discovery_actions.json"] = "[" + trigger_action + "]";
    expect_invalid(files, "discovery_actions.json in directory d at line 1, column 2 (byte 1): holds the action 'DR trigger action' of event source 0");
    files = format2_files();
    files["trigger_actions.json"] = "[" + trigger_action + "," + discovery_action + "]";
    expect_invalid(files, "trigger_actions.json in directory d at line 1, column 77 (byte 76): holds the action 'DR discovery action' of event source 1");
    files = format2_files();
    files["discovery_actions.json"] = R"([{"eventsource":"0","name":5}])";
    expect_invalid(files, "discovery_actions.json in directory d at line 1, column 2 (byte 1): holds an action of event source 0");
}

TEST(BackupSetTest, MalformedJsonIsRefusedNamingLineAndColumn) {
    auto files = seed_files();
    files["hosts.json"] = "{\n  \"zabbix_export\": {\n    \"version\": \"6.0\",,\n  }\n}\n";
    expect_invalid(files, "hosts.json in directory d at line 3, column 22 (byte 44): not valid JSON: expected a string");
    files = seed_files();
    files["reg_actions.json"] = "[\n";
    expect_invalid(files, "reg_actions.json in directory d at line 2, column 1 (byte 2): not valid JSON: unexpected end of text");
}

TEST(BackupSetTest, InvalidUtf8AndLoneSurrogatesAreRefusedWhereTheyAre) {
    const std::pair<std::string, std::string> cases[] = {
        {"[{\"name\":\"caf\xC3(\"}]", "at line 1, column 14 (byte 13): not valid JSON: not UTF-8"},          // a bad continuation
        {"[{\"name\":\"\xC0\xAF\"}]", "at line 1, column 11 (byte 10): not valid JSON: not UTF-8"},            // overlong '/'
        {"[{\"name\":\"\xED\xA0\x80\"}]", "at line 1, column 11 (byte 10): not valid JSON: not UTF-8"},        // an encoded surrogate
        {"[{\"name\":\"\xF4\x90\x80\x80\"}]", "at line 1, column 11 (byte 10): not valid JSON: not UTF-8"},    // past U+10FFFF
        {"[{\"name\":\"\xE2\x82\"}]", "at line 1, column 11 (byte 10): not valid JSON: not UTF-8"},            // cut short
        {R"([{"name":"\udc00"}])", "at line 1, column 12 (byte 11): not valid JSON: lone low surrogate"},
        {R"([{"name":"\ud800x"}])", "at line 1, column 17 (byte 16): not valid JSON: high surrogate without its low half"}};
    for (const auto& [content, wanted] : cases) {
        auto files = format2_files();
        files["users.json"] = content;
        expect_invalid(files, "users.json in directory d " + wanted);
    }
    auto files = format2_files();
    files["users.json"] = "[{\"name\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}]";  // é and an emoji: well-formed
    EXPECT_TRUE(BackupSet(reader(files), "directory d").has("users.json"));
}

TEST(BackupSetTest, NestingDeeperThan128LevelsIsRefusedBeforePocoParsesIt) {
    auto files = format2_files();
    files["users.json"] = std::string(2'000'000, '[');  // and never closed
    expect_invalid(files, "users.json in directory d at line 1, column 129 (byte 128): not valid JSON: nested deeper than 128 levels");
    files["users.json"] = std::string(2'000'000, '[') + std::string(2'000'000, ']');
    expect_invalid(files, "users.json in directory d at line 1, column 129 (byte 128): not valid JSON: nested deeper than 128 levels");
    files = seed_files();
    // The object around the list is the first level.
    files["actions_data_orig.json"] = R"({"templates":)" + std::string(200, '[') + std::string(200, ']') + "}";
    expect_invalid(files, "id_map_backup.json in directory d at line 1, column 141 (byte 140): not valid JSON: nested deeper");
    files = format2_files();
    files["users.json"] = "[" + std::string(126, '[') + R"("[[[[\"]]]")" + std::string(126, ']') + "]";  // brackets in a string do not count
    expect_invalid(files, "users.json in directory d at line 1, column 2 (byte 1): a *.get result lists objects, not an array");
}

TEST(BackupSetTest, AValueOfTheWrongTypeIsRefusedNamingItsPosition) {
    auto files = seed_files();
    files["actions_data_orig.json"] = "[]";
    expect_invalid(files, "id_map_backup.json in directory d at line 1, column 1 (byte 0): should hold an object of name/id lists, not an array");
    files["actions_data_orig.json"] = R"({"templates":5})";
    expect_invalid(files, "id_map_backup.json in directory d at line 1, column 14 (byte 13): \"templates\" should be a list, not a number");
    files["actions_data_orig.json"] = R"({"templates":["A"]})";
    expect_invalid(files, "id_map_backup.json in directory d at line 1, column 15 (byte 14): \"templates\" should list objects, not a string");
    files["actions_data_orig.json"] = R"({"templates":[{"host":{"name":"A"}}]})";
    expect_invalid(files, "id_map_backup.json in directory d at line 1, column 23 (byte 22): \"host\" should be a name or an id, not an object");
    files = format2_files();
    files["users.json"] = R"([{"userid":"3"},
 7])";
    expect_invalid(files, "users.json in directory d at line 2, column 2 (byte 18): a *.get result lists objects, not a number");
}

TEST(BackupSetTest, AManifestOfTheWrongShapeIsRefusedNamingWhereNotAsALibraryError) {
    const auto sum = sha256_hex(seed_files()["templates.json"]);
    const std::pair<std::string, std::string> cases[] = {
        {"[]", "at line 1, column 1 (byte 0): no \"files\" object"},
        {R"({"files":[]})", "at line 1, column 10 (byte 9): no \"files\" object"},
        {R"({"zabbix_version":6,"files":{}})", "at line 1, column 19 (byte 18): \"zabbix_version\" should be a string, not a number"},
        {R"({"files":{"templates.json":"x"}})", "at line 1, column 28 (byte 27): the entry of templates.json has no \"sha256\""},
        {R"({"files":{"templates.json":{"sha256":["x"]}}})",
         "at line 1, column 38 (byte 37): the sha256 of templates.json should be a string, not an array"},
        {R"({"files":{"templates.json":{"sha256":")" + sum + "\"}}",
         "at line 1, column 106 (byte 105): not valid JSON: unexpected end of text"},
        {R"({"files":{"temp\u006Cates.json":{"sha256":")" + sum + R"("}, "..\/x":{}}})",
         "at line 1, column 113 (byte 112): names \"../x\", which is not a backup file"}};
    for (const auto& [manifest, wanted] : cases) {
        auto files = seed_files();
        files["manifest.json"] = manifest;
        expect_invalid(files, "manifest.json in directory d " + wanted);
    }
}

TEST(BackupSetTest, AFileLargerThanTheLimitIsRefusedByName) {
    auto files = format2_files();
    files["users.json"] = "[" + std::string(2000, ' ') + "]";
    for (const auto& [name, content] : format2_files()) ASSERT_LT(content.size(), 1000u) << name;
    expect_invalid(files, "users.json in directory d is larger than the", 1000);
    BackupSet set(reader(format2_files()), "directory d", 1000);  // every file within the limit
    expect_invalid(seed_files(), "in directory d is larger than the", 10);
}

TEST(BackupSetTest, MediaTypesAsAConfigurationExportAreTheEarlierToolsAndKeptWhole) {
    auto files = seed_files();
    const std::string exported = R"({"zabbix_export":{"version":"6.0","media_types":[{"name":"DR mail","type":"EMAIL"}]}})";
    files["mediatypes.json"] = exported;
    BackupSet set(reader(files), "directory d");
    EXPECT_TRUE(set.mediatypes_exported());
    EXPECT_EQ(set.file("mediatypes.json"), exported);
}

TEST(BackupSetTest, AMediaTypeGetListIsNotAnExport) {
    auto files = seed_files();
    files["mediatypes.json"] = R"([{"mediatypeid":"36","type":"0","name":"DR mail"}])";
    EXPECT_FALSE(BackupSet(reader(files), "directory d").mediatypes_exported());
}

TEST(BackupSetTest, ADirectoryThatIsNotThereIsInvalidInput) {
    EXPECT_NE(invalid_input([] { BackupSet::from_directory("/nonexistent/backup"); }).find("--config-dir"), std::string::npos);
}

/// A backup directory written from `files` under the test's directory.
class BackupDirectory : public TempDir {
protected:
    fs::path write(const Files& files) {
        const fs::path backup = dir_ / "backup";
        fs::create_directory(backup);
        for (const auto& [name, content] : files) std::ofstream(backup / name, std::ios::binary) << content;
        return backup;
    }
    std::string refusal(const fs::path& backup) {
        alarm(10);  // a read that blocks kills the test rather than hanging it
        auto message = invalid_input([&] { BackupSet::from_directory(backup); });
        alarm(0);
        return message;
    }
};

TEST_F(BackupDirectory, RegularFilesAreReadAndVerified) {
    const auto backup = write(with_manifest(format2_files()));
    const auto set = BackupSet::from_directory(backup);
    EXPECT_EQ(set.origin(), "directory " + backup.string());
    EXPECT_TRUE(set.verified());
    EXPECT_TRUE(set.has("users.json"));
}

TEST_F(BackupDirectory, ASymlinkAtABackupFileNameIsRefused) {
    auto files = seed_files();
    const auto backup = write(files);
    std::ofstream(dir_ / "elsewhere.json") << format2_files()["users.json"];
    fs::create_symlink(dir_ / "elsewhere.json", backup / "users.json");
    EXPECT_NE(refusal(backup).find("users.json in directory " + backup.string() + " is a symbolic link"), std::string::npos);
    fs::remove(backup / "templates.json");
    fs::create_directory_symlink(dir_, backup / "templates.json");
    EXPECT_NE(refusal(backup).find("templates.json in directory " + backup.string() + " is a symbolic link"), std::string::npos);
}

TEST_F(BackupDirectory, AFifoIsRefusedAsNotARegularFileWithoutBlocking) {
    const auto backup = write(seed_files());
    ASSERT_EQ(mkfifo((backup / "users.json").c_str(), 0600), 0);
    EXPECT_NE(refusal(backup).find("users.json in directory " + backup.string() + " is not a regular file"), std::string::npos);
}

TEST_F(BackupDirectory, AFileOfManyGigabytesIsRefusedAtTheDefaultCapWithoutBeingRead) {
    const auto backup = write(seed_files());
    // Sparse: 4 GiB that take no disk; reading it would take 4 GiB of memory.
    ASSERT_EQ(truncate((backup / "hosts.json").c_str(), off_t{4} << 30), 0);
    EXPECT_NE(refusal(backup).find("hosts.json in directory " + backup.string() +
                                   " is 4294967296 bytes, more than the 1024 MiB a backup file may be (--max-file-size)"),
              std::string::npos);
}

TEST_F(BackupDirectory, AFileLargerThanTheLimitIsRefusedBeforeItIsRead) {
    auto files = format2_files();
    files["users.json"] = "[" + std::string(2000, ' ') + "]";
    const auto backup = write(files);
    const auto message = invalid_input([&] { BackupSet::from_directory(backup, 1000); });
    EXPECT_NE(message.find("users.json in directory " + backup.string() + " is 2002 bytes"), std::string::npos) << message;
}

}  // namespace
}  // namespace concierge::zabbix_format
