// zabbix-import's logic without a server: import rules per Zabbix version, what differs between
// two exports and the documents that import it, actions remapped by name, what a restore writes of
// each object kind, and which changes it reviews as sensitive. The sandbox tests prove the same
// against a real Zabbix; reading and checking backups is zabbix_format's (zabbix_format_unit_test).
#include "action_remap.hpp"
#include "change_review.hpp"
#include "export_diff.hpp"
#include "import_rules.hpp"
#include "object_shapes.hpp"
#include "version_bridge.hpp"

#include "export_merge.hpp"
#include "object_kinds.hpp"

#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace concierge::zabbix_import {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using zabbix_format::to_json;

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

TEST(ImportRules, MapsDocumentCreatesTheImagesItEmbedsAndCreatesOrUpdatesMaps) {
    EXPECT_EQ(import_rules_for("maps"), R"({"images":{"createMissing":true},"maps":{"createMissing":true,"updateExisting":true}})");
}

TEST(ImportRules, MediaTypesDocumentUsesTheMediaTypesRuleKey) {
    EXPECT_EQ(import_rules_for("media_types"), R"({"mediaTypes":{"createMissing":true,"updateExisting":true}})");
}

TEST(ImportRules, ImagesDocumentCreatesAndUpdatesImages) {
    EXPECT_EQ(import_rules_for("images"), R"({"images":{"createMissing":true,"updateExisting":true}})");
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

/// A template with a graph prototype in a discovery rule, its graph items in the order given.
std::string template_with_prototype(const std::string& first, const std::string& second) {
    return R"({"uuid":"u-P","template":"P","name":"P","groups":[{"name":"Templates"}],"discovery_rules":[{"uuid":"d1",)"
           R"("name":"Disks","key":"vfs.fs.discovery","graph_prototypes":[{"uuid":"gp","name":"Disk {#FS}","graph_items":[)" +
           first + "," + second + "]}]}]}";
}
const std::string used_item = R"({"sortorder":"1","color":"1A7C11","item":{"host":"P","key":"vfs.fs.size[{#FS},used]"}})";
const std::string total_item = R"({"sortorder":"1","color":"2774A4","item":{"host":"P","key":"vfs.fs.size[{#FS},total]"}})";

/// The units of `backup_text` that differ from `destination_text`, by name.
std::vector<std::string> differing_units(const std::string& backup_text, const std::string& destination_text) {
    ExportIndex backup("templates", "template"), destination("templates", "template");
    backup.add(backup_text);
    destination.add(destination_text);
    return names(backup, backup.differing(destination));
}

TEST(ExportDiff, GraphPrototypeItemOrderInADiscoveryRuleDoesNotDiffer) {
    EXPECT_TRUE(differing_units(export_of({template_with_prototype(used_item, total_item)}),
                                export_of({template_with_prototype(total_item, used_item)}))
                    .empty());
}

TEST(ExportDiff, AChangedGraphPrototypeItemDiffers) {
    std::string recoloured = total_item;
    recoloured.replace(recoloured.find("2774A4"), 6, "F63100");
    EXPECT_EQ(differing_units(export_of({template_with_prototype(used_item, total_item)}),
                              export_of({template_with_prototype(recoloured, used_item)})),
              (std::vector<std::string>{"P"}));
}

TEST(ExportDiff, AUnitsUuidAndVendorAreRead) {
    ExportIndex index("templates", "template");
    const std::string text = R"({"zabbix_export":{"version":"7.0","templates":[)"
                             R"({"uuid":"aaaa","template":"Built-in","vendor":{"name":"Zabbix","version":"7.0-0"}},)"
                             R"({"uuid":"bbbb","template":"Custom"}]}})";
    index.add(text);
    EXPECT_EQ(index.uuid(0), "aaaa");
    EXPECT_TRUE(index.has_vendor(0));
    EXPECT_FALSE(index.has_vendor(1));
}

TEST(ExportDiff, ValueMapsWhoseUuidAnotherTemplateHoldsGetDerivedOnesTheirOwnKeepTheirs) {
    const std::string destination_text = R"({"zabbix_export":{"version":"7.0","templates":[)"
                                         R"({"template":"Linux by SNMP","valuemaps":[{"uuid":"v1","name":"ifOperStatus"}]},)"
                                         R"({"template":"Mine","valuemaps":[{"uuid":"v2","name":"state"}]}]}})";
    ExportIndex destination("templates", "template");
    destination.add(destination_text);
    const auto owners = destination.valuemap_owners();
    EXPECT_EQ(owners.at("v1"), "Linux by SNMP");

    const std::string backup_text = R"({"zabbix_export":{"version":"6.0","groups":[{"name":"Templates/Modules"}],"templates":[)"
                                    R"({"template":"Interfaces by SNMP","valuemaps":[{"uuid":"v1","name":"ifOperStatus"}]},)"
                                    R"({"template":"Mine","valuemaps":[{"uuid":"v2","name":"state"}]}]}})";
    ExportIndex backup("templates", "template");
    backup.add(backup_text);
    EXPECT_EQ(backup.rekey_valuemaps(owners), 1u);
    const auto documents = backup.documents({0, 1}, 1);
    ASSERT_EQ(documents.size(), 1u);
    EXPECT_NE(documents[0].find(derived_uuid("Interfaces by SNMP", "v1")), std::string::npos) << documents[0];
    EXPECT_EQ(documents[0].find(R"("v1")"), std::string::npos) << documents[0];
    EXPECT_NE(documents[0].find(R"("v2")"), std::string::npos) << documents[0];
}

TEST(ExportDiff, DocumentsAcrossVersionsLeaveTheGroupsListOut) {
    ExportIndex backup("templates", "template");
    const std::string text = R"({"zabbix_export":{"version":"6.0","groups":[{"uuid":"g","name":"Templates"}],)"
                             R"("templates":[{"template":"T","groups":[{"name":"Templates"}]}]}})";
    backup.add(text);
    EXPECT_NE(backup.documents({0}, 1).at(0).find(R"("groups":[{"uuid")"), std::string::npos);
    EXPECT_EQ(backup.documents({0}, 1, true).at(0).find(R"("groups":[{"uuid")"), std::string::npos);
    EXPECT_NE(backup.documents({0}, 1, true).at(0).find(R"("template":"T")"), std::string::npos);
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

TEST(ActionRemap, ConditionsCompareEqualWhateverTheOrderTheServerGivesThemIn) {
    // 7.0 gives a restored action's conditions back in another order, with other formula ids.
    const auto identity = [](const std::string&, const std::string& value) { return value; };
    const auto as_60 = reduce_action(object(R"({"name":"a","eventsource":"2","filter":{"evaltype":"0","conditions":[)"
                                            R"({"conditiontype":"20","operator":"0","value":"7","formulaid":"A"},)"
                                            R"({"conditiontype":"22","operator":"2","value":"dr-","formulaid":"B"}]}})"),
                                     identity);
    const auto as_70 = reduce_action(object(R"({"name":"a","eventsource":"2","filter":{"evaltype":"0","conditions":[)"
                                            R"({"conditiontype":"22","operator":"2","value":"dr-","formulaid":"A"},)"
                                            R"({"conditiontype":"20","operator":"0","value":"7","formulaid":"B"}]}})"),
                                     identity);
    EXPECT_EQ(to_json(as_60), to_json(as_70));
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

TEST(MediaTypes, A70MediaTypeIsWrittenWithMessageFormatAloneAndA60OneKeepsContentType) {
    const auto from_70 = restorable_mediatype(object(R"({"mediatypeid":"1","name":"Email","type":"0","content_type":"1","message_format":"1"})"));
    EXPECT_EQ(to_json(from_70), R"({"message_format":"1","name":"Email","type":"0"})");
    const auto from_60 = restorable_mediatype(object(R"({"mediatypeid":"1","name":"Email","type":"0","content_type":"1"})"));
    EXPECT_EQ(to_json(from_60), R"({"content_type":"1","name":"Email","type":"0"})");
}

TEST(MediaTypes, ParametersAndMessageTemplatesCompareEqualWhateverTheirOrder) {
    const auto as_60 = restorable_mediatype(object(
        R"({"name":"Hook","type":"4","parameters":[{"name":"b","value":"2"},{"name":"a","value":"1"}],)"
        R"("message_templates":[{"eventsource":"3","recovery":"0","subject":"s","message":"m"},{"eventsource":"0","recovery":"0","subject":"s","message":"m"}]})"));
    const auto as_70 = restorable_mediatype(object(
        R"({"name":"Hook","type":"4","parameters":[{"name":"a","value":"1"},{"name":"b","value":"2"}],)"
        R"("message_templates":[{"eventsource":"0","recovery":"0","subject":"s","message":"m"},{"eventsource":"3","recovery":"0","subject":"s","message":"m"}]})"));
    EXPECT_EQ(to_json(as_60), to_json(as_70));
}

// ---- change review -------------------------------------------------------------------------

using Classes = std::vector<std::string>;

/// The sensitive changes writing `wanted` (a portable form) makes over `existing`, or as a new
/// object when `existing` is empty.
Classes sensitive(const std::string& kind, const std::string& wanted, const std::string& existing = "") {
    return sensitive_changes(kind, object(wanted), existing.empty() ? Object::Ptr() : object(existing));
}

/// `text` with `key` set to `value`.
std::string with(const std::string& text, const std::string& key, const std::string& value) {
    auto changed = object(text);
    changed->set(key, value);
    return to_json(changed);
}

TEST(DifferingMembers, ListsTheKeysThatDifferIncludingThoseOnOneSideOnly) {
    EXPECT_EQ(differing_members(object(R"({"a":"1","b":["1","2"],"c":"x","e":{"f":"1"}})"),
                                object(R"({"b":["2","1"],"c":"x","d":null,"e":{"f":"1"}})")),
              (Classes{"a", "b", "d"}));
    EXPECT_TRUE(differing_members(object(R"({"c":"x"})"), object(R"({"c":"x"})")).empty());
}

TEST(SensitiveChanges, WritingAnyScriptIsACommand) {
    const std::string script = R"({"name":"DR scale script","command":"echo scale","type":"0","scope":"1","execute_on":"1"})";
    EXPECT_EQ(sensitive("scripts", script), Classes{allow::commands});
    EXPECT_EQ(sensitive("scripts", with(script, "command", "rm -rf /"), script), Classes{allow::commands});
}

TEST(SensitiveChanges, AnExistingMediaTypeThatDiffersIsSensitiveANewOneIsNot) {
    const std::string mediatype = R"({"name":"DR mail","type":"0","smtp_server":"mail.example.com"})";
    EXPECT_EQ(sensitive("mediatypes", with(mediatype, "smtp_server", "mail.attacker.example"), mediatype),
              Classes{allow::mediatypes});
    EXPECT_TRUE(sensitive("mediatypes", mediatype).empty());
}

// Operations of an action's portable form (reduce_action with names for ids).
const std::string message_op = R"({"operationtype":"0","esc_period":"0","esc_step_from":"1","esc_step_to":"1","evaltype":"0",)"
                               R"("opconditions":[],"opmessage":{"default_msg":"1","mediatypeid":"DR mail"},)"
                               R"("opmessage_grp":[{"usrgrpid":"DR operators"}],"opmessage_usr":[]})";
const std::string command_op = R"({"operationtype":"1","esc_period":"0","esc_step_from":"2","esc_step_to":"2","evaltype":"0",)"
                               R"("opconditions":[],"opcommand":{"scriptid":"DR scale script"},"opcommand_hst":[{"hostid":"0"}]})";

std::string action_with(const std::string& operations, const std::string& recovery_operations = "") {
    return R"({"name":"DR trigger action","eventsource":"0","status":"0","esc_period":"1h",)"
           R"("filter":{"evaltype":"0","conditions":[{"conditiontype":"0","operator":"0","value":"DR hosts"}]},)"
           R"("operations":[)" + operations + R"(],"recovery_operations":[)" + recovery_operations + R"(],"update_operations":[]})";
}

TEST(SensitiveChanges, ANewActionWithACommandOperationIsACommand) {
    EXPECT_EQ(sensitive("trigger_actions", action_with(message_op + "," + command_op)), Classes{allow::commands});
    EXPECT_EQ(sensitive("trigger_actions", action_with(message_op, command_op)), Classes{allow::commands});
    EXPECT_EQ(sensitive("internal_actions", action_with(command_op)), Classes{allow::commands});
}

TEST(SensitiveChanges, ANewActionWithoutACommandOperationIsNotSensitive) {
    EXPECT_TRUE(sensitive("trigger_actions", action_with(message_op)).empty());
    EXPECT_TRUE(sensitive("autoregistration_actions", action_with("")).empty());
}

TEST(SensitiveChanges, ChangedOperationsOfAnExistingActionAreAnActionsChange) {
    const auto existing = action_with(message_op);
    std::string other_group = message_op;
    other_group.replace(other_group.find("DR operators"), 12, "Guests");
    EXPECT_EQ(sensitive("trigger_actions", action_with(other_group), existing), Classes{allow::actions});
    EXPECT_EQ(sensitive("trigger_actions", action_with(message_op, message_op), existing), Classes{allow::actions});
    // What the action matches is not its operations.
    EXPECT_TRUE(sensitive("trigger_actions", with(existing, "status", "1"), existing).empty());
}

TEST(SensitiveChanges, AddingOrChangingACommandOperationIsACommandAndAnActionsChange) {
    EXPECT_EQ(sensitive("trigger_actions", action_with(message_op + "," + command_op), action_with(message_op)),
              (Classes{allow::commands, allow::actions}));
    std::string other_script = command_op;
    other_script.replace(other_script.find("DR scale script"), 15, "Detect operating system");
    EXPECT_EQ(sensitive("trigger_actions", action_with(other_script), action_with(command_op)),
              (Classes{allow::commands, allow::actions}));
    // An unchanged command beside a changed message is no new command.
    EXPECT_EQ(sensitive("trigger_actions", action_with(command_op), action_with(message_op + "," + command_op)),
              Classes{allow::actions});
}

/// A user group's portable form (6.0: "rights" by host group name).
std::string user_group(const std::string& rights, const std::string& tag_filters = "[]") {
    return R"({"name":"DR operators","gui_access":"0","users_status":"0","debug_mode":"0","rights":)" + rights +
           R"(,"tag_filters":)" + tag_filters + "}";
}
std::string right(const std::string& permission) { return R"([{"id":"DR hosts","permission":")" + permission + R"("}])"; }
const std::string deny = right("0"), read = right("2"), read_write = right("3");
const std::string service_filter = R"([{"groupid":"DR hosts","tag":"service","value":"dr-web"}])";

TEST(SensitiveChanges, WideningAUserGroupsRightIsAPermissionsChange) {
    EXPECT_EQ(sensitive("usergroups", user_group(read_write), user_group(read)), Classes{allow::permissions});
    EXPECT_EQ(sensitive("usergroups", user_group(read), user_group(deny)), Classes{allow::permissions});
}

TEST(SensitiveChanges, NarrowingAUserGroupsRightIsNotSensitive) {
    EXPECT_TRUE(sensitive("usergroups", user_group(read), user_group(read_write)).empty());
    EXPECT_TRUE(sensitive("usergroups", user_group(deny), user_group(read)).empty());
}

TEST(SensitiveChanges, ANewRightOnAGroupThatHadNoneWidensItUnlessItDenies) {
    EXPECT_EQ(sensitive("usergroups", user_group(read), user_group("[]")), Classes{allow::permissions});
    EXPECT_TRUE(sensitive("usergroups", user_group(deny), user_group("[]")).empty());
}

TEST(SensitiveChanges, RemovingADenyRightWidensAUserGroupRemovingAGrantDoesNot) {
    EXPECT_EQ(sensitive("usergroups", user_group("[]"), user_group(deny)), Classes{allow::permissions});
    EXPECT_TRUE(sensitive("usergroups", user_group("[]"), user_group(read)).empty());
}

TEST(SensitiveChanges, RightsOfZabbix62AreReviewedToo) {
    const std::string before = R"({"name":"DR operators","hostgroup_rights":[],"templategroup_rights":[{"id":"Templates","permission":"2"}]})";
    const std::string after = R"({"name":"DR operators","hostgroup_rights":[],"templategroup_rights":[{"id":"Templates","permission":"3"}]})";
    EXPECT_EQ(sensitive("usergroups", after, before), Classes{allow::permissions});
    EXPECT_TRUE(sensitive("usergroups", before, after).empty());
}

TEST(SensitiveChanges, DroppingATagFilterWidensAUserGroupAddingOneDoesNot) {
    EXPECT_EQ(sensitive("usergroups", user_group(read), user_group(read, service_filter)), Classes{allow::permissions});
    EXPECT_TRUE(sensitive("usergroups", user_group(read, service_filter), user_group(read)).empty());
}

TEST(SensitiveChanges, EnablingAUserGroupOrItsFrontendAccessOrDebugModeWidensIt) {
    const auto group = user_group(read);
    EXPECT_EQ(sensitive("usergroups", group, with(group, "users_status", "1")), Classes{allow::permissions});
    EXPECT_EQ(sensitive("usergroups", group, with(group, "gui_access", "3")), Classes{allow::permissions});
    EXPECT_EQ(sensitive("usergroups", with(group, "debug_mode", "1"), group), Classes{allow::permissions});
    EXPECT_TRUE(sensitive("usergroups", with(group, "users_status", "1"), group).empty());
    EXPECT_TRUE(sensitive("usergroups", with(group, "gui_access", "3"), group).empty());
    EXPECT_TRUE(sensitive("usergroups", with(group, "name", "DR operators 2"), group).empty());
}

TEST(SensitiveChanges, ANewUserGroupIsNotReviewed) { EXPECT_TRUE(sensitive("usergroups", user_group(read_write)).empty()); }

const std::string dr_operator = R"({"username":"dr.operator","name":"DR","roleid":"DR role",)"
                                R"("usrgrps":[{"usrgrpid":"DR operators"}],"medias":[]})";

TEST(SensitiveChanges, AUserChangingRoleOrJoiningAGroupIsAPermissionsChange) {
    EXPECT_EQ(sensitive("users", with(dr_operator, "roleid", "Super admin role"), dr_operator), Classes{allow::permissions});
    auto joined = object(dr_operator);
    joined->getArray("usrgrps")->add(object(R"({"usrgrpid":"Zabbix administrators"})"));
    EXPECT_EQ(sensitive("users", to_json(joined), dr_operator), Classes{allow::permissions});
}

TEST(SensitiveChanges, AUserLeavingAGroupOrRenamedIsNotSensitive) {
    auto left = object(dr_operator);
    left->set("usrgrps", Array::Ptr(new Array));
    EXPECT_TRUE(sensitive("users", to_json(left), dr_operator).empty());
    EXPECT_TRUE(sensitive("users", with(dr_operator, "name", "Dr"), dr_operator).empty());
}

TEST(SensitiveChanges, AnExistingUsersChangedMediaRedirectAlertsAndAreAMediaTypesChange) {
    auto redirected = object(dr_operator);
    redirected->set("medias", Poco::JSON::Parser().parse(R"([{"mediatypeid":"DR mail","sendto":["attacker@example.com"],"active":"0",)"
                                                             R"("severity":"63","period":"1-7,00:00-24:00"}])"));
    EXPECT_EQ(sensitive("users", to_json(redirected), dr_operator), Classes{allow::mediatypes});
}

TEST(SensitiveChanges, ARoleThatDiffersIsAPermissionsChange) {
    const std::string role = R"({"name":"DR role","type":"1","rules":{"api.access":"0","ui.default_access":"1"}})";
    std::string with_api = role;
    with_api.replace(with_api.find(R"("api.access":"0")"), 16, R"("api.access":"1")");
    EXPECT_EQ(sensitive("roles", with_api, role), Classes{allow::permissions});
    EXPECT_TRUE(sensitive("roles", role).empty());
}

// ---- object shapes --------------------------------------------------------------------------

const zabbix_format::ObjectKind& kind(const std::string& key) {
    static const auto kinds = zabbix_format::object_kinds(version(6, 0));
    const auto* found = zabbix_format::find_kind(kinds, key);
    if (!found) throw std::runtime_error("no kind " + key);
    return *found;
}

/// A reference as "kind/id": what was remapped, and as what kind.
std::string tagged(const std::string& ref_kind, const std::string& id) { return ref_kind + "/" + id; }

Object::Ptr restored(const std::string& key, const std::string& text, const zabbix::Version& destination = version(6, 0)) {
    return restorable(kind(key), destination, object(text), tagged);
}

// Excerpts of a 6.0.14 server's *.get results (research samples).
const std::string action_script =
    R"({"scriptid":"4","name":"DR scale script","command":"echo scale {HOST.HOST} {EVENT.ID}","host_access":"2","usrgrpid":"0",)"
    R"("groupid":"20","description":"runs from the DR trigger action","confirmation":"","type":"0","execute_on":"1",)"
    R"("timeout":"30s","scope":"1","port":"","authtype":"0","username":"","password":"","publickey":"","privatekey":"",)"
    R"("menu_path":"","parameters":[]})";

TEST(ObjectShapes, AnActionScriptKeepsExecuteOnAndDropsManualAndSshMembers) {
    EXPECT_EQ(to_json(restored("scripts", action_script)),
              R"({"command":"echo scale {HOST.HOST} {EVENT.ID}","description":"runs from the DR trigger action",)"
              R"("execute_on":"1","groupid":"hostgroups/20","name":"DR scale script","scope":"1","type":"0"})");
}

TEST(ObjectShapes, AManualHostScriptKeepsItsUserGroupRemapped) {
    auto script = object(action_script);
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"scope", "2"}, {"usrgrpid", "13"}, {"confirmation", "Run?"}, {"menu_path", "DR/tools"}})
        script->set(key, value);
    const auto out = restored("scripts", to_json(script));
    EXPECT_EQ(out->getValue<std::string>("usrgrpid"), "usergroups/13");
    EXPECT_EQ(out->getValue<std::string>("host_access"), "2");
    EXPECT_EQ(out->getValue<std::string>("confirmation"), "Run?");
    EXPECT_EQ(out->getValue<std::string>("menu_path"), "DR/tools");
    EXPECT_EQ(out->getValue<std::string>("execute_on"), "1");
}

TEST(ObjectShapes, NoUserGroupOrHostGroupIsZeroAndNeverRemapped) {
    const std::string ping = R"({"scriptid":"1","name":"Ping","command":"ping -c 3 {HOST.CONN}","host_access":"2",)"
                             R"("usrgrpid":"0","groupid":"0","type":"0","execute_on":"2","scope":"2"})";
    std::vector<std::string> remapped;
    const auto out = restorable(kind("scripts"), version(6, 0), object(ping), [&](const std::string& k, const std::string& id) {
        remapped.push_back(k + "/" + id);
        return std::string("mapped");
    });
    EXPECT_EQ(out->getValue<std::string>("usrgrpid"), "0");
    EXPECT_EQ(out->getValue<std::string>("groupid"), "0");
    EXPECT_TRUE(remapped.empty());
}

TEST(ObjectShapes, AWebhookKeepsSortedParametersAndTimeoutButNotExecuteOn) {
    const auto out = restored("scripts", R"({"scriptid":"6","name":"DR webhook","command":"return 1;","host_access":"2",)"
                                         R"("usrgrpid":"0","groupid":"0","type":"5","execute_on":"2","timeout":"10s","scope":"4",)"
                                         R"("port":"","authtype":"0","username":"","password":"","menu_path":"DR",)"
                                         R"("parameters":[{"name":"host","value":"{HOST.HOST}"},{"name":"event","value":"{EVENT.ID}"}]})");
    EXPECT_EQ(to_json(out->get("parameters")), R"([{"name":"event","value":"{EVENT.ID}"},{"name":"host","value":"{HOST.HOST}"}])");
    EXPECT_EQ(out->getValue<std::string>("timeout"), "10s");
    for (const char* key : {"execute_on", "port", "authtype", "username", "password"}) EXPECT_FALSE(out->has(key)) << key;
}

/// The DR maintenance, its host groups read as `groups_key` (6.0 "groups", 6.2+ "hostgroups").
std::string maintenance(const std::string& groups_key) {
    return R"({"maintenanceid":"1","name":"DR maintenance","maintenance_type":"0","description":"weekly window",)"
           R"("active_since":"1767225600","active_till":"1798761600","tags_evaltype":"0",")" +
           groups_key + R"(":[{"groupid":"20","name":"DR hosts","internal":"0","flags":"0","uuid":"d839"}],)"
           R"("hosts":[{"hostid":"10562","proxy_hostid":"10560","host":"DR host","status":"0"}],)"
           R"("tags":[{"tag":"service","operator":"2","value":"dr-web"}],)"
           R"("timeperiods":[{"timeperiod_type":"3","every":"1","month":"0","dayofweek":"64","day":"0","start_time":"7200",)"
           R"("period":"3600","start_date":"0"},{"timeperiod_type":"0","every":"1","month":"0","dayofweek":"0","day":"0",)"
           R"("start_time":"0","period":"7200","start_date":"1767225600"}]})";
}

TEST(ObjectShapes, MaintenanceTimePeriodsKeepOnlyTheirTypesMembers) {
    EXPECT_EQ(to_json(restored("maintenances", maintenance("groups"))->get("timeperiods")),
              R"([{"dayofweek":"64","every":"1","period":"3600","start_time":"7200","timeperiod_type":"3"},)"
              R"({"period":"7200","start_date":"1767225600","timeperiod_type":"0"}])");
}

TEST(ObjectShapes, MaintenanceGroupsOfEitherSelectAreWrittenAsGroups) {
    for (const auto& [groups_key, destination] : {std::pair{"groups", version(6, 0)}, std::pair{"hostgroups", version(6, 2)}}) {
        const auto out = restored("maintenances", maintenance(groups_key), destination);
        EXPECT_EQ(to_json(out->get("groups")), R"([{"groupid":"hostgroups/20"}])") << groups_key;
        EXPECT_FALSE(out->has("hostgroups")) << groups_key;
        EXPECT_EQ(to_json(out->get("hosts")), R"([{"hostid":"hosts/10562"}])") << groups_key;
    }
}

const std::string correlation = R"({"correlationid":"1","name":"DR correlation","description":"close old","status":"0",)"
                                R"("filter":{"evaltype":"0","formula":"","conditions":[{"type":"0","tag":"service","formulaid":"A"},)"
                                R"({"type":"3","oldtag":"service","newtag":"service","formulaid":"B"}],"eval_formula":"A and B"},)"
                                R"("operations":[{"type":"0"}]})";

TEST(ObjectShapes, CorrelationFilterHasNoFormulaOrFormulaIdsWithoutACustomExpression) {
    EXPECT_EQ(to_json(restored("correlations", correlation)->get("filter")),
              R"({"conditions":[{"newtag":"service","oldtag":"service","type":"3"},{"tag":"service","type":"0"}],"evaltype":"0"})");
}

TEST(ObjectShapes, CorrelationConditionsCompareEqualWhateverTheirFormulaIdsWithoutACustomExpression) {
    std::string swapped = correlation;
    swapped.replace(swapped.find(R"("formulaid":"A")"), 15, R"("formulaid":"X")");
    swapped.replace(swapped.find(R"("formulaid":"B")"), 15, R"("formulaid":"A")");
    swapped.replace(swapped.find(R"("formulaid":"X")"), 15, R"("formulaid":"B")");
    EXPECT_EQ(to_json(restored("correlations", swapped)), to_json(restored("correlations", correlation)));
}

TEST(ObjectShapes, CorrelationFilterKeepsFormulaAndFormulaIdsWithACustomExpression) {
    auto custom = object(correlation);
    custom->getObject("filter")->set("evaltype", "3");
    custom->getObject("filter")->set("formula", "A and not B");
    EXPECT_EQ(to_json(restored("correlations", to_json(custom))->get("filter")),
              R"({"conditions":[{"formulaid":"A","tag":"service","type":"0"},)"
              R"({"formulaid":"B","newtag":"service","oldtag":"service","type":"3"}],"evaltype":"3","formula":"A and not B"})");
}

/// The DR dashboard with widgets naming a graph, an item, a map and a host, and plain fields.
std::string dashboard(const std::string& first_widget, const std::string& second_widget) {
    return R"({"dashboardid":"167","name":"DR dashboard","userid":"1","private":"1","display_period":"30","auto_start":"1",)"
           R"("uuid":"","pages":[{"dashboard_pageid":"3796","name":"DR page","display_period":"0","widgets":[)" +
           first_widget + "," + second_widget + R"(]}],"users":[{"userid":"3","permission":"2"}],)"
           R"("userGroups":[{"usrgrpid":"13","permission":"3"}]})";
}
const std::string graph_widget =
    R"({"widgetid":"10928","type":"graph","name":"DR graph widget","x":"0","y":"0","width":"12","height":"5","view_mode":"0",)"
    R"("fields":[{"type":"0","name":"source_type","value":"0"},{"type":"6","name":"graphid","value":"2471"},)"
    R"({"type":"1","name":"reference","value":"ABCDE"}]})";
const std::string mixed_widget =
    R"({"widgetid":"10929","type":"plaintext","name":"DR item widget","x":"12","y":"0","width":"12","height":"5","view_mode":"0",)"
    R"("fields":[{"type":"4","name":"itemids","value":"44518"},{"type":"8","name":"sysmapid","value":"2"},)"
    R"({"type":"3","name":"hostids","value":"10562"}]})";

TEST(ObjectShapes, DashboardWidgetFieldsAreRemappedByTheirType) {
    const auto out = restored("dashboards", dashboard(graph_widget, mixed_widget));
    std::map<std::string, std::string> values;
    const auto widgets = out->getArray("pages")->getObject(0)->getArray("widgets");
    for (std::size_t w = 0; w < widgets->size(); ++w) {
        const auto fields = widgets->getObject(static_cast<unsigned>(w))->getArray("fields");
        for (std::size_t f = 0; f < fields->size(); ++f) {
            const auto field = fields->getObject(static_cast<unsigned>(f));
            values[field->getValue<std::string>("name")] = field->getValue<std::string>("value");
        }
    }
    EXPECT_EQ(values, (std::map<std::string, std::string>{{"source_type", "0"}, {"graphid", "graphs/2471"},
                                                           {"reference", "ABCDE"}, {"itemids", "items/44518"},
                                                           {"sysmapid", "maps/2"}, {"hostids", "hosts/10562"}}));
    EXPECT_EQ(out->getValue<std::string>("userid"), "users/1");
    EXPECT_EQ(to_json(out->get("users")), R"([{"permission":"2","userid":"users/3"}])");
    EXPECT_EQ(to_json(out->get("userGroups")), R"([{"permission":"3","usrgrpid":"usergroups/13"}])");
    for (const char* key : {"dashboardid", "uuid"}) EXPECT_FALSE(out->has(key)) << key;
}

TEST(ObjectShapes, DashboardPageWidgetsCompareEqualWhateverTheirOrder) {
    EXPECT_EQ(to_json(restored("dashboards", dashboard(graph_widget, mixed_widget))),
              to_json(restored("dashboards", dashboard(mixed_widget, graph_widget))));
}

const std::string dr_operator_get =
    R"({"userid":"3","username":"dr.operator","name":"DR","surname":"Operator","url":"","autologin":"0","autologout":"15m",)"
    R"("lang":"default","refresh":"30s","theme":"default","attempt_failed":"0","attempt_ip":"","attempt_clock":"0",)"
    R"("rows_per_page":"50","timezone":"default","roleid":"5","usrgrps":[{"usrgrpid":"13","name":"DR operators"}],)"
    R"("medias":[{"mediaid":"1","userid":"3","mediatypeid":"36","sendto":["ops@example.com"],"active":"0","severity":"60",)"
    R"("period":"1-7,00:00-24:00"}]})";

TEST(ObjectShapes, UsersDropLoginAttemptsAndMediaIdsAndRemapRoleGroupsAndMediaTypes) {
    EXPECT_EQ(to_json(restored("users", dr_operator_get)),
              R"({"autologin":"0","autologout":"15m","lang":"default","medias":[{"active":"0","mediatypeid":"mediatypes/36",)"
              R"("period":"1-7,00:00-24:00","sendto":["ops@example.com"],"severity":"60"}],"name":"DR","refresh":"30s",)"
              R"("roleid":"roles/5","rows_per_page":"50","surname":"Operator","theme":"default","timezone":"default","url":"",)"
              R"("username":"dr.operator","usrgrps":[{"usrgrpid":"usergroups/13"}]})");
}

TEST(ObjectShapes, UserGroupsOn62RemapHostAndTemplateGroupRights) {
    const auto out = restored("usergroups", R"({"usrgrpid":"13","name":"DR operators","gui_access":"0","users_status":"0",)"
                                            R"("debug_mode":"0","hostgroup_rights":[{"id":"20","permission":"3"}],)"
                                            R"("templategroup_rights":[{"id":"1","permission":"2"}],"tag_filters":[]})",
                              version(6, 2));
    EXPECT_EQ(to_json(out->get("hostgroup_rights")), R"([{"id":"hostgroups/20","permission":"3"}])");
    EXPECT_EQ(to_json(out->get("templategroup_rights")), R"([{"id":"templategroups/1","permission":"2"}])");
    EXPECT_FALSE(out->has("rights"));
}

const std::string proxy_columns = R"("proxy_hostid":"0","status":"5","lastaccess":"0","ipmi_authtype":"-1","maintenanceid":"0",)"
                                  R"("name":"","flags":"0","description":"","tls_connect":"1","tls_accept":"2","tls_issuer":"",)"
                                  R"("tls_subject":"","proxy_address":"","auto_compress":"1","uuid":"")";

TEST(ObjectShapes, AnActiveProxyKeepsHostStatusAndTlsAndNoInterface) {
    EXPECT_EQ(to_json(restored("proxies", R"({"proxyid":"10560","host":"DR proxy active",)" + proxy_columns +
                                              R"(,"hosts":[{"hostid":"10562","host":"DR host"}],"interface":[]})")),
              R"({"description":"","host":"DR proxy active","proxy_address":"","status":"5","tls_accept":"2",)"
              R"("tls_connect":"1","tls_issuer":"","tls_subject":""})");
}

TEST(ObjectShapes, APassiveProxyKeepsItsInterfaceAddress) {
    const auto out = restored("proxies", R"({"proxyid":"10561","host":"DR proxy passive",)" + proxy_columns +
                                             R"(,"interface":{"interfaceid":"15","hostid":"10561","main":"1","type":"0","useip":"1",)"
                                             R"("ip":"192.0.2.20","dns":"","port":"10051","available":"0","error":"","details":[]}})");
    EXPECT_EQ(to_json(out->get("interface")), R"({"dns":"","ip":"192.0.2.20","port":"10051","useip":"1"})");
}

TEST(ObjectShapes, AGlobalMacroKeepsMacroValueTypeAndDescription) {
    EXPECT_EQ(to_json(restored("globalmacros", R"({"globalmacroid":"3","macro":"{$DR_CANARY}","value":"canary-plain-7f3a",)"
                                               R"("description":"plain canary","type":"0"})")),
              R"({"description":"plain canary","macro":"{$DR_CANARY}","type":"0","value":"canary-plain-7f3a"})");
}

TEST(ObjectShapes, OnlyTheFreshInstallsRolesAreBuiltIn) {
    EXPECT_TRUE(is_builtin(kind("roles"), "Super admin role"));
    EXPECT_TRUE(is_builtin(kind("roles"), "Guest role"));
    EXPECT_FALSE(is_builtin(kind("roles"), "DR role"));
    EXPECT_FALSE(is_builtin(kind("usergroups"), "Zabbix administrators"));
    EXPECT_FALSE(is_builtin(kind("users"), "Admin"));
}

TEST(ObjectShapes, RemappedToNamesAndThenToIdsAnObjectNamesTheDestinationsObjects) {
    NameMap source, destination;
    source.add("roles", "5", "DR role");
    source.add("usergroups", "13", "DR operators");
    source.add("mediatypes", "36", "DR mail");
    destination.add("roles", "50", "DR role");
    destination.add("usergroups", "130", "DR operators");
    destination.add("mediatypes", "360", "DR mail");
    const auto portable = restorable(kind("users"), version(6, 0), object(dr_operator_get),
                                     [&](const std::string& k, const std::string& id) { return *source.name_of(k, id); });
    EXPECT_EQ(portable->getValue<std::string>("roleid"), "DR role");
    const auto created = restorable(kind("users"), version(6, 0), portable,
                                    [&](const std::string& k, const std::string& name) { return *destination.id_of(k, name); });
    EXPECT_EQ(created->getValue<std::string>("roleid"), "50");
    EXPECT_EQ(to_json(created->get("usrgrps")), R"([{"usrgrpid":"130"}])");
    EXPECT_EQ(created->getArray("medias")->getObject(0)->getValue<std::string>("mediatypeid"), "360");
}

// ---- name map -------------------------------------------------------------------------------

TEST(NameMapTest, ExplicitFieldsPickTheUserIdAndUsernameOfAUserGetObject) {
    const std::string users = "[" + dr_operator_get + "]";
    NameMap guessed, told;
    guessed.add_list("users", users);  // "roleid" sorts before "userid", "name" comes before "username"
    told.add_list("users", users, "userid", "username");
    EXPECT_EQ(guessed.name_of("users", "3"), nullptr);
    ASSERT_NE(told.name_of("users", "3"), nullptr);
    EXPECT_EQ(*told.name_of("users", "3"), "dr.operator");
    EXPECT_EQ(told.ids("users"), (std::map<std::string, std::string>{{"dr.operator", "3"}}));
}

TEST(NameMapTest, IdsListsEveryNameOfAKindWithItsId) {
    NameMap map;
    map.add_list("usergroups", R"([{"usrgrpid":"7","name":"Zabbix administrators"},{"usrgrpid":"13","name":"DR operators"}])");
    EXPECT_EQ(map.ids("usergroups"), (std::map<std::string, std::string>{{"DR operators", "13"}, {"Zabbix administrators", "7"}}));
    EXPECT_TRUE(map.ids("users").empty());
}

TEST(NameMapTest, ClearForgetsOneKindOnly) {
    NameMap map = source_names();
    map.clear("hostgroups");
    EXPECT_EQ(map.size("hostgroups"), 0u);
    EXPECT_EQ(map.name_of("hostgroups", "2"), nullptr);
    EXPECT_EQ(map.id_of("hostgroups", "Linux servers"), nullptr);
    EXPECT_EQ(*map.id_of("templates", "Linux"), "10001");
    map.add("hostgroups", "3", "Again");
    EXPECT_EQ(map.ids("hostgroups"), (std::map<std::string, std::string>{{"Again", "3"}}));
}

TEST(KindLabel, NamesEachKindInTheSingular) {
    for (const auto& [kind_key, label] : std::vector<std::pair<std::string, std::string>>{
             {"slas", "SLA"}, {"roles", "user role"}, {"images", "image"}, {"maps", "map"}, {"services", "service"},
             {"dchecks", "discovery check"}, {"graph_prototypes", "graph prototype"}, {"templategroups", "template group"}})
        EXPECT_EQ(kind_label(kind_key), label) << kind_key;
    EXPECT_EQ(kind_label("widgets"), "widgets");  // an unknown kind as it is
}

}  // namespace
}  // namespace concierge::zabbix_import
