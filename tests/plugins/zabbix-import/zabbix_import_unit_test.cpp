// zabbix-import's logic without a server: reading and checking backups, import rules per Zabbix
// version, what differs between two exports and the documents that import it, and actions
// remapped by name. The sandbox tests prove the same against a real Zabbix.
#include "action_remap.hpp"
#include "backup_set.hpp"
#include "export_diff.hpp"
#include "import_rules.hpp"

#include "backup_dir.hpp"
#include "export_merge.hpp"

#include <concierge/sdk/status.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include <unistd.h>

namespace concierge::zabbix_import {
using zabbix_format::BackupSet;
namespace {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

zabbix::Version version(int major, int minor) { return {major, minor, 0, std::to_string(major) + "." + std::to_string(minor) + ".0"}; }

Object::Ptr object(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<Object::Ptr>(); }

// ---- import rules ---------------------------------------------------------------------------

TEST(ImportRules, Zabbix60UsesGroupsAndNoKeyItRejects) {
    const auto rules = object(import_rules(version(6, 0), false));
    EXPECT_TRUE(rules->has("groups"));
    EXPECT_FALSE(rules->has("host_groups"));
    for (const char* rejected : {"applications", "screens", "templateScreens"}) EXPECT_FALSE(rules->has(rejected)) << rejected;
    EXPECT_TRUE(rules->getObject("templates")->getValue<bool>("updateExisting"));
    EXPECT_TRUE(rules->getObject("groups")->getValue<bool>("updateExisting"));
    EXPECT_FALSE(rules->getObject("items")->has("deleteMissing"));
    EXPECT_TRUE(rules->has("templateDashboards"));
}

TEST(ImportRules, Zabbix62SplitsHostAndTemplateGroups) {
    for (const auto& v : {version(6, 2), version(6, 4), version(7, 0)}) {
        const auto rules = object(import_rules(v, false));
        EXPECT_TRUE(rules->has("host_groups")) << v.text;
        EXPECT_TRUE(rules->has("template_groups")) << v.text;
        EXPECT_FALSE(rules->has("groups")) << v.text;
    }
}

TEST(ImportRules, OlderVersionsGetTheirOwnKeysAndPre50IsRefused) {
    const auto v52 = object(import_rules(version(5, 2), false));
    EXPECT_TRUE(v52->has("applications"));
    EXPECT_TRUE(v52->has("templateDashboards"));
    EXPECT_FALSE(v52->getObject("groups")->has("updateExisting"));  // 5.2 only creates groups
    EXPECT_TRUE(object(import_rules(version(5, 0), false))->has("templateScreens"));
    try {
        import_rules(version(4, 0), false);
        FAIL() << "4.0 accepted";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.code(), sdk::ExitCode::RemoteError);
    }
}

TEST(ImportRules, DeleteMissingOnlyForWhatTemplatesAndHostsHoldNeverForWholeObjects) {
    const auto rules = object(import_rules(version(6, 0), true));
    for (const char* key : {"items", "triggers", "graphs", "discoveryRules", "httptests", "templateLinkage", "valueMaps"})
        EXPECT_TRUE(rules->getObject(key)->getValue<bool>("deleteMissing")) << key;
    for (const char* key : {"groups", "templates", "hosts"}) EXPECT_FALSE(rules->getObject(key)->has("deleteMissing")) << key;
}

// ---- backup set ---------------------------------------------------------------------------

const std::string templates_json =
    R"({"zabbix_export":{"version":"6.0","date":"2026-01-01T00:00:00Z","groups":[{"uuid":"g1","name":"Templates"}],)"
    R"("templates":[{"uuid":"t1","template":"A","name":"A","groups":[{"name":"Templates"}]}]}})";

std::map<std::string, std::string> seed_files() {
    return {{"templates.json", templates_json},
            {"hostgroups.json", R"({"zabbix_export":{"version":"6.0","groups":[{"uuid":"g2","name":"Linux servers"}]}})"},
            {"hosts.json", R"({"zabbix_export":{"version":"6.0","hosts":[]}})"},
            {"mediatypes.json", "null"},
            {"reg_actions.json", "null"},
            {"trigger_actions.json", "[]"},
            {"actions_data_orig.json", R"({"templates":[{"host":"A","hash":"x","templateid":"10001"}],"hostgroups":[]})"}};
}

BackupSet::Reader reader(const std::map<std::string, std::string>& files) {
    return [files](const std::string& name) -> std::optional<std::string> {
        const auto found = files.find(name);
        if (found == files.end()) return std::nullopt;
        return found->second;
    };
}

void expect_invalid(const std::map<std::string, std::string>& files, const std::string& wanted) {
    try {
        BackupSet set(reader(files), "directory d");
        FAIL() << "accepted; expected: " << wanted;
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.code(), sdk::ExitCode::InvalidInput) << e.what();
        EXPECT_NE(std::string(e.what()).find(wanted), std::string::npos) << e.what();
    }
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
    expect_invalid(files, "templates.json in directory d is not valid JSON");
    files = seed_files();
    files["hostgroups.json"] = R"({"groups":[]})";
    expect_invalid(files, "hostgroups.json in directory d is not a Zabbix export");
    files = seed_files();
    files["trigger_actions.json"] = R"({"actionid":"3"})";
    expect_invalid(files, "trigger_actions.json in directory d should hold a JSON array");
    files = seed_files();
    files.erase("actions_data_orig.json");
    expect_invalid(files, "has no id_map_backup.json");
}

std::string manifest_for(const std::map<std::string, std::string>& files) {
    std::map<std::string, zabbix_format::FileRecord> records;
    for (const auto& [name, content] : files) records[name] = {zabbix_format::sha256_hex(content), content.size(), 0};
    return zabbix_format::manifest_json("6.0.14", "2026-01-01T00:00:00Z", records);
}

TEST(BackupSetTest, ManifestIsVerifiedAndAChangedFileIsRefused) {
    auto files = seed_files();
    files["manifest.json"] = manifest_for(seed_files());
    BackupSet set(reader(files), "run 7");
    EXPECT_TRUE(set.verified());
    EXPECT_EQ(set.source_version(), "6.0.14");
    files["hosts.json"] = R"({"zabbix_export":{"version":"6.0","hosts":[{"host":"x"}]}})";
    expect_invalid(files, "hosts.json in directory d does not match its sha256 in manifest.json");
    files = seed_files();
    files["manifest.json"] = manifest_for(seed_files());
    files.erase("reg_actions.json");
    expect_invalid(files, "lacks reg_actions.json");
}

TEST(BackupSetTest, ADirectoryThatIsNotThereIsInvalidInput) {
    try {
        BackupSet::from_directory("/nonexistent/backup");
        FAIL();
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.code(), sdk::ExitCode::InvalidInput);
        EXPECT_NE(std::string(e.what()).find("--config-dir"), std::string::npos);
    }
}

// ---- export diff ----------------------------------------------------------------------------

std::string template_text(const std::string& name, const std::string& item, const std::string& links = "") {
    return R"({"uuid":"u-)" + name + R"(","template":")" + name + R"(","name":")" + name + R"(","groups":[{"name":"Templates"}],)" +
           (links.empty() ? "" : R"("templates":[{"name":")" + links + R"("}],)") + R"("items":[{"key":")" + item + R"("}]})";
}

std::string export_of(const std::vector<std::string>& templates, const std::string& triggers = "", const std::string& graphs = "") {
    std::string out = R"({"zabbix_export":{"version":"6.0","date":"2026-01-01T00:00:00Z","groups":[{"uuid":"g","name":"Templates"}],"templates":[)";
    for (std::size_t i = 0; i < templates.size(); ++i) out += (i ? "," : "") + templates[i];
    out += "]";
    if (!triggers.empty()) out += R"(,"triggers":[)" + triggers + "]";
    if (!graphs.empty()) out += R"(,"graphs":[)" + graphs + "]";
    return out + "}}";
}

const std::string spanning_trigger = R"({"uuid":"tr","expression":"last(/A/a)>0 and last(/B/b)>0","name":"A and B"})";
std::string graph(const std::string& first, const std::string& second) {
    return R"({"uuid":"gr","name":"C graph","graph_items":[)" + first + "," + second + "]}";
}
const std::string item1 = R"({"color":"1A7C11","item":{"host":"C","key":"c"}})";
const std::string item2 = R"({"color":"2774A4","item":{"host":"C","key":"c2"}})";

std::vector<std::string> names(const ExportIndex& index, const std::vector<std::size_t>& units) {
    std::vector<std::string> out;
    for (const auto u : units) out.push_back(index.name(u));
    return out;
}

TEST(NamedHosts, FindsExpressionHostsAndGraphItemHosts) {
    EXPECT_EQ(named_hosts(spanning_trigger), (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(named_hosts(graph(item1, item2)), (std::vector<std::string>{"C"}));
}

TEST(LinkedTemplates, FindsTemplateLinksHostPrototypesAndDiscoveryOverrides) {
    const std::string text =
        R"({"template":"Azure","templates":[{"name":"Base"}],"discovery_rules":[{"host_prototypes":[{"templates":[{"name":"Proto"}]}],)"
        R"("overrides":[{"name":"Server","operations":[{"optemplate":[{"name":"Azure SQL"}]}]}]}]})";
    EXPECT_EQ(linked_templates(text), (std::vector<std::string>{"Base", "Proto", "Azure SQL"}));
}

TEST(ExportDiff, OnlyChangedOrMissingUnitsDifferAndGraphItemOrderDoesNot) {
    const std::string backup_text = export_of({template_text("A", "a"), template_text("B", "b"), template_text("C", "c"),
                                               template_text("D", "d")},
                                              spanning_trigger, graph(item1, item2));
    // At the destination: A identical, B's spanning trigger changed, C's graph items in the other
    // order, D absent; the export's date differs.
    std::string changed_trigger = spanning_trigger;
    changed_trigger.replace(changed_trigger.find(">0 and"), 2, ">1");
    std::string destination_text = export_of({template_text("A", "a"), template_text("B", "b"), template_text("C", "c")},
                                             changed_trigger, graph(item2, item1));
    destination_text.replace(destination_text.find("2026-01-01"), 10, "2027-02-02");
    ExportIndex backup("templates", "template"), destination("templates", "template");
    backup.add(backup_text);
    destination.add(destination_text);
    // A's own text is unchanged but the trigger naming it changed, so A differs too.
    EXPECT_EQ(names(backup, backup.differing(destination)), (std::vector<std::string>{"A", "B", "D"}));
    ExportIndex same("templates", "template");
    same.add(backup_text);
    EXPECT_TRUE(backup.differing(same).empty());
}

TEST(ExportDiff, DestinationExportInChunksIsOneIndex) {
    const std::string backup_text = export_of({template_text("A", "a"), template_text("B", "b")});
    const std::string first = export_of({template_text("A", "a")}), second = export_of({template_text("B", "b")});
    ExportIndex backup("templates", "template"), destination("templates", "template");
    backup.add(backup_text);
    destination.add(first);
    destination.add(second);
    EXPECT_TRUE(backup.differing(destination).empty());
}

TEST(ExportDiff, DocumentsKeepLinkedUnitsTogetherAndLoseNoTriggerOrGraph) {
    const std::string text = export_of({template_text("A", "a"), template_text("B", "b"), template_text("C", "c"),
                                        template_text("E", "e", "C"), template_text("F", "f")},
                                       spanning_trigger, graph(item1, item2));
    ExportIndex index("templates", "template");
    index.add(text);
    const auto documents = index.documents({0, 1, 2, 3, 4}, 4);
    ASSERT_EQ(documents.size(), 3u);  // {A,B} by the trigger, {C,E} by the link, {F}
    std::map<std::string, std::size_t> where;
    std::size_t triggers = 0, graphs = 0;
    for (std::size_t d = 0; d < documents.size(); ++d) {
        const auto doc = object(documents[d])->getObject("zabbix_export");
        EXPECT_EQ(doc->getValue<std::string>("version"), "6.0");
        EXPECT_EQ(doc->getArray("groups")->size(), 1u);
        for (const auto& t : *doc->getArray("templates")) where[t.extract<Object::Ptr>()->getValue<std::string>("template")] = d;
        if (doc->has("triggers")) triggers += doc->getArray("triggers")->size();
        if (doc->has("graphs")) graphs += doc->getArray("graphs")->size();
    }
    EXPECT_EQ(where.size(), 5u);
    EXPECT_EQ(where["A"], where["B"]);
    EXPECT_EQ(where["C"], where["E"]);
    EXPECT_NE(where["A"], where["F"]);
    EXPECT_EQ(triggers, 1u);
    EXPECT_EQ(graphs, 1u);
    EXPECT_EQ(index.documents({0, 1, 2, 3, 4}, 1).size(), 1u);
    EXPECT_TRUE(index.documents({}, 4).empty());
}

TEST(ExportDiff, NotAnExportIsInvalidInput) {
    ExportIndex index("templates", "template");
    EXPECT_THROW(index.add(R"({"templates":[]})"), sdk::Error);
    EXPECT_THROW(index.add(R"({"zabbix_export":{"templates":[{"name":"no template member"}]}})"), sdk::Error);
}

// ---- actions --------------------------------------------------------------------------------

NameMap source_names() {
    NameMap map;
    map.add_id_map(R"({"hostgroups":[{"groupid":"2","name":"Linux servers"},{"groupid":"30","name":"Custom"}],)"
                   R"("templates":[{"templateid":"10001","host":"Linux"}],"usergroups":[{"usrgrpid":"15","name":"Ops"}],)"
                   R"("users":[{"userid":"1","username":"Admin"}]})");
    map.add_list("mediatypes", R"([{"mediatypeid":"40","name":"Pager","type":"1"}])");
    return map;
}

NameMap destination_names() {
    NameMap map;
    map.add_list("hostgroups", R"([{"groupid":"102","name":"Linux servers"},{"groupid":"130","name":"Custom"}])");
    map.add_list("templates", R"([{"templateid":"20001","host":"Linux"}])");
    map.add_list("usergroups", R"([{"usrgrpid":"115","name":"Ops"}])");
    map.add_list("users", R"([{"userid":"1","username":"Admin"}])");
    map.add_list("mediatypes", R"([{"mediatypeid":"77","name":"Pager"}])");
    return map;
}

const std::string autoreg_action = R"({"actionid":"9","name":"Register","eventsource":"2","status":"0","esc_period":"0",
  "pause_suppressed":"1","notify_if_canceled":"1",
  "filter":{"evaltype":"0","formula":"","conditions":[{"conditiontype":"24","operator":"2","value":"linux","value2":"","formulaid":"A"}],"eval_formula":"A"},
  "operations":[{"operationid":"1","actionid":"9","operationtype":"6","esc_period":"0","esc_step_from":"1","esc_step_to":"1","evaltype":"0","opconditions":[],"optemplate":[{"templateid":"10001"}]},
                {"operationid":"2","actionid":"9","operationtype":"4","esc_period":"0","esc_step_from":"1","esc_step_to":"1","evaltype":"0","opconditions":[],"opgroup":[{"groupid":"30"}]}],
  "recovery_operations":[],"update_operations":[]})";

const std::string trigger_action = R"({"actionid":"3","name":"Notify","eventsource":"0","status":"0","esc_period":"1h",
  "pause_suppressed":"1","notify_if_canceled":"1",
  "filter":{"evaltype":"0","formula":"","conditions":[{"conditiontype":"0","operator":"0","value":"2","value2":"","formulaid":"A"},
                                                      {"conditiontype":"16","operator":"11","value":"","value2":"","formulaid":"B"}],"eval_formula":"A and B"},
  "operations":[{"operationid":"3","actionid":"3","operationtype":"0","esc_period":"0","esc_step_from":"1","esc_step_to":"1","evaltype":"0","opconditions":[],
                 "opmessage":{"default_msg":"1","subject":"","message":"","mediatypeid":"40"},"opmessage_grp":[{"usrgrpid":"15"}],"opmessage_usr":[{"userid":"1"}]}],
  "recovery_operations":[{"operationid":"7","actionid":"3","operationtype":"11","evaltype":"0","opconditions":[],"opmessage":{"default_msg":"0","subject":"ok","message":"resolved","mediatypeid":"0"}}],
  "update_operations":[]})";

TEST(ActionRemap, AutoregistrationActionLosesKeysCreateRejectsAndMapsTemplatesAndGroups) {
    const auto restored = restore_action(object(autoreg_action), source_names(), destination_names());
    EXPECT_TRUE(restored.unmapped.empty());
    EXPECT_EQ(restored.name, "Register");
    EXPECT_EQ(restored.eventsource, 2);
    const auto& fields = restored.fields;
    for (const char* key : {"actionid", "esc_period", "pause_suppressed", "notify_if_canceled", "recovery_operations", "update_operations"})
        EXPECT_FALSE(fields->has(key)) << key;
    const auto filter = fields->getObject("filter");
    EXPECT_FALSE(filter->has("formula"));
    EXPECT_FALSE(filter->has("eval_formula"));
    const auto condition = filter->getArray("conditions")->getObject(0);
    EXPECT_FALSE(condition->has("formulaid"));
    EXPECT_FALSE(condition->has("value2"));
    const auto ops = fields->getArray("operations");
    EXPECT_EQ(zabbix_format::to_json(ops), R"([{"operationtype":"6","optemplate":[{"templateid":"20001"}]},)"
                                           R"({"operationtype":"4","opgroup":[{"groupid":"130"}]}])");
}

TEST(ActionRemap, TriggerActionMapsEveryReferenceAndKeepsSpecialZeroIds) {
    const auto restored = restore_action(object(trigger_action), source_names(), destination_names());
    EXPECT_TRUE(restored.unmapped.empty());
    const auto& fields = restored.fields;
    EXPECT_EQ(fields->getValue<std::string>("esc_period"), "1h");
    const auto conditions = fields->getObject("filter")->getArray("conditions");
    EXPECT_EQ(conditions->getObject(0)->getValue<std::string>("value"), "102");
    EXPECT_FALSE(conditions->getObject(1)->has("value"));  // "suppressed" takes no value
    const auto op = fields->getArray("operations")->getObject(0);
    EXPECT_EQ(zabbix_format::to_json(op->getObject("opmessage")), R"({"default_msg":"1","mediatypeid":"77"})");
    EXPECT_EQ(zabbix_format::to_json(op->getArray("opmessage_grp")), R"([{"usrgrpid":"115"}])");
    EXPECT_EQ(zabbix_format::to_json(op->getArray("opmessage_usr")), R"([{"userid":"1"}])");
    EXPECT_FALSE(op->has("actionid"));
    EXPECT_FALSE(op->has("operationid"));
    const auto recovery = fields->getArray("recovery_operations")->getObject(0);
    EXPECT_EQ(zabbix_format::to_json(recovery->getObject("opmessage")), R"({"default_msg":"0","message":"resolved","subject":"ok"})");
}

TEST(ActionRemap, WhatCannotBeMappedIsListedByName) {
    NameMap destination = destination_names();
    NameMap without_ops;
    without_ops.add_list("hostgroups", R"([{"groupid":"102","name":"Linux servers"}])");
    without_ops.add_list("mediatypes", R"([{"mediatypeid":"77","name":"Pager"}])");
    without_ops.add_list("users", R"([{"userid":"1","username":"Admin"}])");
    auto action = object(trigger_action);
    // A trigger condition: the backup holds no trigger names.
    action->getObject("filter")->getArray("conditions")->add(object(R"({"conditiontype":"2","operator":"0","value":"555"})"));
    const auto restored = restore_action(action, source_names(), without_ops);
    ASSERT_EQ(restored.unmapped.size(), 2u);
    EXPECT_EQ(restored.unmapped[0].describe(), "trigger id 555 (the backup's id_map_backup.json has no name for it)");
    EXPECT_EQ(restored.unmapped[1].describe(), "user group 'Ops' (does not exist at the destination)");
}

TEST(ActionRemap, ADestinationActionComparesEqualToTheRestoredOne) {
    const auto restored = restore_action(object(autoreg_action), source_names(), destination_names());
    // What action.get returns at the destination after the create: its own ids, the same content.
    std::string at_destination = autoreg_action;
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{{"\"10001\"", "\"20001\""}, {"\"30\"", "\"130\""}, {"\"9\"", "\"41\""}})
        at_destination.replace(at_destination.find(from), from.size(), to);
    EXPECT_EQ(zabbix_format::to_json(comparable_action(object(at_destination))), zabbix_format::to_json(restored.fields));
}

TEST(MediaTypes, RestorableMediaTypeHasNoIdAndPlainMessageTemplates) {
    const auto mediatype = restorable_mediatype(object(
        R"({"mediatypeid":"40","name":"Pager","type":"1","message_templates":[{"mediatype_messageid":"5","eventsource":"0","recovery":"0","subject":"s","message":"m"}]})"));
    EXPECT_EQ(zabbix_format::to_json(mediatype),
              R"({"message_templates":[{"eventsource":"0","message":"m","recovery":"0","subject":"s"}],"name":"Pager","type":"1"})");
}

}  // namespace
}  // namespace concierge::zabbix_import
