// Restoring a backup of one Zabbix version into another, without a server: which backups are
// refused, how 6.0's groups split into 6.2+'s host and template groups, and how a 6.0 object
// becomes what 7.0 reads back. The manual checks against a real 7.0.22 are in the issue 15 report.
#include "version_bridge.hpp"

#include "export_merge.hpp"

#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

namespace concierge::zabbix_import {
namespace {

using Poco::JSON::Object;
using zabbix_format::to_json;

zabbix::Version server(int major, int minor) { return {major, minor, 22, std::to_string(major) + "." + std::to_string(minor) + ".22"}; }
Object::Ptr parsed(const std::string& text) { return Poco::JSON::Parser().parse(text).extract<Object::Ptr>(); }

// ---- versions ------------------------------------------------------------------------------

TEST(VersionBridge, AManifestsOrAnExportsVersionReadsAsMajorAndMinor) {
    EXPECT_EQ(version_of("6.0.14").major, 6);
    EXPECT_EQ(version_of("6.0.14").minor, 0);
    EXPECT_EQ(version_of("7.0").minor, 0);
    EXPECT_EQ(version_of("").major, 0);
}

TEST(VersionBridge, OnlyAnotherMajorOrMinorCrossesVersions) {
    EXPECT_FALSE(crosses_versions("6.0.14", server(6, 0)));
    EXPECT_FALSE(crosses_versions("7.0", server(7, 0)));
    EXPECT_TRUE(crosses_versions("6.0", server(7, 0)));
    EXPECT_TRUE(crosses_versions("6.0.14", server(6, 2)));
}

TEST(VersionBridge, ABackupNewerThanTheDestinationIsExit5NamingBothVersions) {
    try {
        refuse_newer_backup("7.0.22", server(6, 0));
        FAIL() << "a 7.0 backup into 6.0 was not refused";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.code(), sdk::ExitCode::InvalidInput);
        const std::string what = e.what();
        EXPECT_NE(what.find("7.0.22"), std::string::npos) << what;
        EXPECT_NE(what.find("6.0.22"), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
}

TEST(VersionBridge, AnOlderOrTheSameVersionsBackupIsNotRefused) {
    EXPECT_NO_THROW(refuse_newer_backup("6.0.14", server(7, 0)));
    EXPECT_NO_THROW(refuse_newer_backup("6.0", server(6, 0)));
    EXPECT_NO_THROW(refuse_newer_backup("7.0", server(7, 0)));
}

// ---- groups --------------------------------------------------------------------------------

const std::string groups_60 =
    R"({"zabbix_export":{"version":"6.0","groups":[{"uuid":"11111111111141118111111111111111","name":"Templates/Databases"},)"
    R"({"uuid":"22222222222242228222222222222222","name":"Linux servers"},)"
    R"({"uuid":"33333333333343338333333333333333","name":"Both"},)"
    R"({"uuid":"44444444444444448444444444444444","name":"Empty"},)"
    R"({"uuid":"55555555555545558555555555555555","name":"Discovered DBs"}]}})";
const std::string templates_60 =
    R"({"zabbix_export":{"version":"6.0","templates":[{"template":"DB","groups":[{"name":"Templates/Databases"},{"name":"Both"}],)"
    R"("discovery_rules":[{"host_prototypes":[{"host":"{#DB}","group_links":[{"group":{"name":"Discovered DBs"}}]}]}]}]}})";
const std::string hosts_60 =
    R"({"zabbix_export":{"version":"6.0","hosts":[{"host":"web","groups":[{"name":"Linux servers"},{"name":"Both"}]}]}})";

TEST(SplitGroups, TemplatesGroupsBecomeTemplateGroupsHostsAndEmptyOnesHostGroupsSharedOnesBoth) {
    const auto split = split_groups(groups_60, templates_60, hosts_60);
    EXPECT_EQ(split.template_groups, (std::set<std::string>{"Both", "Templates/Databases"}));
    EXPECT_EQ(split.host_groups, (std::set<std::string>{"Both", "Discovered DBs", "Empty", "Linux servers"}));
}

TEST(SplitGroups, AGroupAHostPrototypePutsHostsInIsAHostGroup) {
    EXPECT_TRUE(split_groups(groups_60, templates_60, hosts_60).host_groups.count("Discovered DBs"));
}

TEST(SplitGroups, TheDocumentIsA62ExportOfBothListsWithTheBackupsUuids) {
    const auto document = parsed(groups_document(split_groups(groups_60, templates_60, hosts_60), {}, {}));
    const auto inner = document->getObject("zabbix_export");
    EXPECT_EQ(inner->getValue<std::string>("version"), "6.2");
    EXPECT_FALSE(inner->has("groups"));
    EXPECT_EQ(to_json(inner->get("template_groups")),
              R"([{"name":"Both","uuid":"33333333333343338333333333333333"},)"
              R"({"name":"Templates/Databases","uuid":"11111111111141118111111111111111"}])");
    EXPECT_EQ(inner->getArray("host_groups")->size(), 4u);
}

TEST(SplitGroups, AUuidTheDestinationGivesAnotherGroupOfTheSameKindIsDerivedSoNothingIsRenamed) {
    // 7.0 calls the host group "Databases" under 6.0's UUID of "Templates/Databases"; its template
    // group keeps the name, so that UUID stays.
    const std::map<std::string, std::string> host_taken{{"11111111111141118111111111111111", "Databases"}};
    const std::map<std::string, std::string> template_taken{{"11111111111141118111111111111111", "Templates/Databases"}};
    const auto groups = split_groups(
        R"({"zabbix_export":{"groups":[{"uuid":"11111111111141118111111111111111","name":"Templates/Databases"}]}})",
        templates_60, R"({"zabbix_export":{"hosts":[{"host":"db","groups":[{"name":"Templates/Databases"}]}]}})");
    const auto inner = parsed(groups_document(groups, host_taken, template_taken))->getObject("zabbix_export");
    const auto host_uuid = inner->getArray("host_groups")->getObject(0)->getValue<std::string>("uuid");
    EXPECT_EQ(host_uuid, derived_uuid("Templates/Databases", "11111111111141118111111111111111"));
    EXPECT_EQ(inner->getArray("template_groups")->getObject(0)->getValue<std::string>("uuid"),
              "11111111111141118111111111111111");
}

TEST(DerivedUuid, IsAStableUuidV4OfItsSeedAndUuid) {
    const auto uuid = derived_uuid("Interfaces by SNMP", "3b7ef1e7a4fd4aa0b0c4a0a2c6bfc9e0");
    EXPECT_EQ(uuid, derived_uuid("Interfaces by SNMP", "3b7ef1e7a4fd4aa0b0c4a0a2c6bfc9e0"));
    EXPECT_NE(uuid, derived_uuid("Other template", "3b7ef1e7a4fd4aa0b0c4a0a2c6bfc9e0"));
    ASSERT_EQ(uuid.size(), 32u);
    EXPECT_EQ(uuid[12], '4');
    EXPECT_NE(std::string("89ab").find(uuid[16]), std::string::npos) << uuid;
    EXPECT_EQ(uuid.find_first_not_of("0123456789abcdef"), std::string::npos) << uuid;
}

// ---- objects -------------------------------------------------------------------------------

Object::Ptr upgraded_60(const std::string& kind, const std::string& text, const zabbix::Version& destination = server(7, 0),
                        const GroupIds& groups = {}) {
    return upgraded(kind, version_of("6.0.14"), destination, parsed(text), groups);
}

TEST(UpgradedObject, A60ActiveProxyBecomesA70ProxyWithNameOperatingModeAndAllowedAddresses) {
    const auto proxy = upgraded_60(
        "proxies", R"({"proxyid":"10560","host":"DR proxy active","status":"5","proxy_address":"192.0.2.9","interface":[],"tls_connect":"1"})");
    EXPECT_EQ(proxy->getValue<std::string>("name"), "DR proxy active");
    EXPECT_EQ(proxy->getValue<std::string>("operating_mode"), "0");
    EXPECT_EQ(proxy->getValue<std::string>("allowed_addresses"), "192.0.2.9");
    for (const char* gone : {"host", "status", "proxy_address", "interface"}) EXPECT_FALSE(proxy->has(gone)) << gone;
    EXPECT_EQ(proxy->getValue<std::string>("tls_connect"), "1");
}

TEST(UpgradedObject, A60PassiveProxysInterfaceBecomesItsAddressAndPort) {
    const auto by_ip = upgraded_60(
        "proxies", R"({"host":"p","status":"6","interface":{"useip":"1","ip":"192.0.2.20","dns":"p.example","port":"10051"}})");
    EXPECT_EQ(by_ip->getValue<std::string>("operating_mode"), "1");
    EXPECT_EQ(by_ip->getValue<std::string>("address"), "192.0.2.20");
    EXPECT_EQ(by_ip->getValue<std::string>("port"), "10051");
    const auto by_dns =
        upgraded_60("proxies", R"({"host":"p","status":"6","interface":{"useip":"0","ip":"","dns":"p.example","port":"10055"}})");
    EXPECT_EQ(by_dns->getValue<std::string>("address"), "p.example");
}

TEST(UpgradedObject, A70ProxyIsLeftAsItIs) {
    const std::string proxy = R"({"name":"p","operating_mode":"1","address":"192.0.2.20","port":"10051"})";
    EXPECT_EQ(to_json(upgraded("proxies", version_of("7.0.22"), server(7, 0), parsed(proxy), {})), to_json(parsed(proxy)));
}

TEST(UpgradedObject, Into60NothingChanges) {
    const std::string proxy = R"({"host":"p","status":"5"})";
    EXPECT_EQ(to_json(upgraded_60("proxies", proxy, server(6, 0))), to_json(parsed(proxy)));
}

TEST(UpgradedObject, A60DiscoveryRuleNamesItsProxyByProxyidAndItsChecksGetAllowRedirectOff) {
    const auto rule = upgraded_60(
        "drules", R"({"name":"r","proxy_hostid":"10560","dchecks":[{"type":"9","key_":"system.uname"},{"type":"12","allow_redirect":"1"}]})");
    EXPECT_EQ(rule->getValue<std::string>("proxyid"), "10560");
    EXPECT_FALSE(rule->has("proxy_hostid"));
    EXPECT_EQ(rule->getArray("dchecks")->getObject(0)->getValue<std::string>("allow_redirect"), "0");
    EXPECT_EQ(rule->getArray("dchecks")->getObject(1)->getValue<std::string>("allow_redirect"), "1");
}

TEST(UpgradedObject, A60ScriptMediaTypesExecParamsBecomeOrderedParameters) {
    const auto script = upgraded_60("mediatypes", R"({"name":"Pager","type":"1","exec_params":"{ALERT.SENDTO}\n{ALERT.SUBJECT}\n"})");
    EXPECT_FALSE(script->has("exec_params"));
    EXPECT_EQ(to_json(script->get("parameters")),
              R"([{"sortorder":"0","value":"{ALERT.SENDTO}"},{"sortorder":"1","value":"{ALERT.SUBJECT}"}])");
    const auto email = upgraded_60("mediatypes", R"({"name":"Email","type":"0","exec_params":"","parameters":[]})");
    EXPECT_FALSE(email->has("exec_params"));
    EXPECT_EQ(to_json(email->get("parameters")), "[]");
}

TEST(UpgradedObject, A60MediaTypesContentTypeIsWrittenAs70sMessageFormat) {
    const auto email = upgraded_60("mediatypes", R"({"name":"Email","type":"0","content_type":"1"})");
    EXPECT_EQ(to_json(email), R"({"message_format":"1","name":"Email","type":"0"})");
}

TEST(UpgradedObject, A60UserGroupsRightsGoToTheHostAndTemplateGroupsItsGroupsBecame) {
    GroupIds groups;
    groups.host_groups = {"2", "3"};
    groups.template_groups = {"1", "3"};
    const auto group = upgraded_60(
        "usergroups", R"({"name":"ops","rights":[{"id":"1","permission":"2"},{"id":"2","permission":"3"},{"id":"3","permission":"0"}]})",
        server(6, 2), groups);
    EXPECT_FALSE(group->has("rights"));
    EXPECT_EQ(to_json(group->get("hostgroup_rights")), R"([{"id":"2","permission":"3"},{"id":"3","permission":"0"}])");
    EXPECT_EQ(to_json(group->get("templategroup_rights")), R"([{"id":"1","permission":"2"},{"id":"3","permission":"0"}])");
}

TEST(DropNewerOnly, ARolesUiElementsAndActionsTheBackupsVersionDidNotKnowAreNotCompared) {
    const auto backup = parsed(R"({"name":"r","rules":{"ui":[{"name":"monitoring.hosts","status":"1"}],)"
                               R"("actions":[{"name":"edit_maps","status":"1"}]}})");
    const auto existing = parsed(R"({"name":"r","rules":{"ui":[{"name":"monitoring.hosts","status":"0"},{"name":"new.ui","status":"1"}],)"
                                 R"("actions":[{"name":"edit_maps","status":"1"},{"name":"suppress_problems","status":"1"}]}})");
    drop_newer_only("roles", backup, existing);
    EXPECT_EQ(to_json(existing->getObject("rules")->get("ui")), R"([{"name":"monitoring.hosts","status":"0"}])");
    EXPECT_EQ(to_json(existing->getObject("rules")->get("actions")), R"([{"name":"edit_maps","status":"1"}])");
}

}  // namespace
}  // namespace concierge::zabbix_import
