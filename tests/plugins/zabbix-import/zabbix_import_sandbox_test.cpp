// zabbix-import against the real Zabbix sandbox (scripts/sandbox/zabbix.sh), from each version into
// a second instance of the same version, reset to pristine before each test and after the last. The
// built `concierge` runs zabbix-backup and zabbix-import as a user would. The sandbox's addresses
// are those CMake was configured with; when the sandbox is not up every test fails, since a sandbox
// test that silently skips proves nothing.
#include "tls_proxy.hpp"
#include "zabbix_sandbox_test.hpp"

#include "backup_dir.hpp"
#include "export_merge.hpp"

#include <concierge/zabbix/client.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>

#include <unistd.h>

namespace concierge::test {
namespace {

class ZabbixImport : public ZabbixSandboxTest {
protected:
    /// The source's custom configuration: what the issue's round trip lists.
    void populate_source() {
        auto zbx = client(source_url_);
        zbx.login();
        group_a_ = first_id(zbx.call("hostgroup.create", R"({"name":"RT group A"})"), "groupids");
        group_b_ = first_id(zbx.call("hostgroup.create", R"({"name":"RT group B"})"), "groupids");
        const auto base = first_id(zbx.call("template.create", R"({"host":"RT base","groups":[{"groupid":"1"}]})"), "templateids");
        zbx.call("item.create", R"({"hostid":")" + base + R"(","name":"rt base","key_":"rt.base","type":2,"value_type":3})");
        zbx.call("trigger.create", R"({"description":"RT base high","expression":"last(/RT base/rt.base)>5","priority":3})");
        // A template linked to another, with an item and a trigger on both.
        template_ = first_id(zbx.call("template.create", R"({"host":"RT app","groups":[{"groupid":"1"}],"templates":[{"templateid":")" +
                                                             base + R"("}],"macros":[{"macro":"{$RT_LIMIT}","value":"7"}]})"),
                             "templateids");
        zbx.call("item.create", R"({"hostid":")" + template_ + R"(","name":"rt app","key_":"rt.app","type":2,"value_type":3})");
        zbx.call("trigger.create",
                 R"({"description":"RT app and base","expression":"last(/RT app/rt.app)>{$RT_LIMIT} and last(/RT app/rt.base)>0"})");
        zbx.call("host.create", R"({"host":"rt-host","groups":[{"groupid":")" + group_a_ + R"("}],"templates":[{"templateid":")" +
                                    template_ + R"("}],"interfaces":[{"type":1,"main":1,"useip":1,"ip":"127.0.0.1","dns":"","port":"10050"}],)"
                                    R"("inventory_mode":0,"inventory":{"alias":"consul","notes":"line one\nline two"},)"
                                    R"("macros":[{"macro":"{$RT_HOST}","value":"on host"}]})");
        mediatype_ = first_id(zbx.call("mediatype.create", R"({"type":0,"name":"RT mail","smtp_server":"mail.example","smtp_helo":"example",)"
                                                             R"("smtp_email":"zabbix@example"})"),
                              "mediatypeids");
        usergroup_ = first_id(zbx.call("usergroup.create", R"({"name":"RT operators"})"), "usrgrpids");
        zbx.call("action.create", R"({"name":"RT notify","eventsource":0,"status":0,"esc_period":"30m",)"
                                  R"("filter":{"evaltype":0,"conditions":[{"conditiontype":0,"operator":0,"value":")" + group_a_ +
                                      R"("},{"conditiontype":13,"operator":0,"value":")" + template_ + R"("}]},)"
                                      R"("operations":[{"operationtype":0,"esc_step_from":1,"esc_step_to":2,"opmessage":{"default_msg":0,)"
                                      R"("subject":"RT {EVENT.NAME}","message":"body","mediatypeid":")" + mediatype_ +
                                      R"("},"opmessage_grp":[{"usrgrpid":")" + usergroup_ + R"("}]}],)"
                                      R"("recovery_operations":[{"operationtype":11,"opmessage":{"default_msg":1}}]})");
        zbx.call("action.create", R"({"name":"RT register","eventsource":2,"status":0,)"
                                  R"("filter":{"evaltype":0,"conditions":[{"conditiontype":24,"operator":2,"value":"rt-metadata"}]},)"
                                  R"("operations":[{"operationtype":6,"optemplate":[{"templateid":")" + template_ +
                                      R"("}]},{"operationtype":4,"opgroup":[{"groupid":")" + group_b_ + R"("}]}]})");
    }

    /// Objects created at the destination first, so its ids differ from the source's; and the
    /// user group the trigger action names (user groups are not part of a backup).
    void prepare_destination() {
        auto zbx = client(dest_url_);
        zbx.login();
        for (const char* name : {"Dest extra 1", "Dest extra 2", "Dest extra 3"}) {
            zbx.call("hostgroup.create", R"({"name":")" + std::string(name) + R"("})");
            zbx.call("usergroup.create", R"({"name":")" + std::string(name) + R"("})");
        }
        zbx.call("template.create", R"({"host":"Dest extra template","groups":[{"groupid":"1"}]})");
        zbx.call("mediatype.create", R"({"type":0,"name":"Dest extra mail","smtp_server":"m","smtp_helo":"h","smtp_email":"z@h"})");
        zbx.call("usergroup.create", R"({"name":"RT operators"})");
    }

    std::string group_a_, group_b_, template_, mediatype_, usergroup_;
};

INSTANTIATE_TEST_SUITE_P(Versions, ZabbixImport, testing::ValuesIn(same_version_routes()), route_name);

// ---- helpers to compare two backups modulo ids ---------------------------------------------

/// name -> id of one list of an id_map_backup.json.
std::map<std::string, std::string> ids_by_name(const fs::path& backup, const std::string& kind) {
    std::map<std::string, std::string> out;
    const auto list = object(read(backup / "id_map_backup.json"))->getArray(kind);
    for (const auto& element : *list) {
        const auto o = element.extract<Object::Ptr>();
        std::string name, id;
        for (const auto& key : o->getNames()) {
            if (key == "name" || key == "host" || key == "username") name = o->getValue<std::string>(key);
            else if (key.size() > 2 && key.ends_with("id")) id = o->getValue<std::string>(key);
        }
        out[name] = id;
    }
    return out;
}
std::map<std::string, std::string> names_by_id(const fs::path& backup, const std::string& kind) {
    std::map<std::string, std::string> out;
    for (const auto& [name, id] : ids_by_name(backup, kind)) out[id] = name;
    return out;
}

/// Compact text of each object under zabbix_export[key] by its name member.
std::map<std::string, std::string> export_objects(const fs::path& file, const std::string& key, const std::string& name_member) {
    std::map<std::string, std::string> out;
    const auto list = object(read(file))->getObject("zabbix_export")->getArray(key);
    if (!list) return out;
    for (const auto& element : *list) {
        const auto o = element.extract<Object::Ptr>();
        out[o->getValue<std::string>(name_member)] = zabbix_format::to_json(o);
    }
    return out;
}

/// Top-level triggers of an export, by name.
std::map<std::string, std::string> top_level(const fs::path& file, const std::string& key) {
    return export_objects(file, key, "name");
}

std::map<std::string, Object::Ptr> by_name(const std::string& list_json) {
    std::map<std::string, Object::Ptr> out;
    const auto list = array(list_json);  // not a range-for over a temporary's array
    for (const auto& element : *list) {
        const auto o = element.extract<Object::Ptr>();
        out[o->getValue<std::string>("name")] = o;
    }
    return out;
}

template <class Map>
void expect_subset(const Map& part, const Map& whole, const std::string& what) {
    for (const auto& [name, text] : part) {
        const auto found = whole.find(name);
        ASSERT_NE(found, whole.end()) << what << " '" << name << "' is missing at the destination";
        EXPECT_EQ(found->second, text) << what << " '" << name << "' differs";
    }
}

// ---- the round trip ------------------------------------------------------------------------

TEST_P(ZabbixImport, RoundTripGivesTheSameBackupModuloIdsAndActionsPointAtTheRightObjects) {
    populate_source();
    prepare_destination();
    const auto source_backup = work_ / "source", dest_backup = work_ / "destination";
    auto result = backup(source_url_, source_backup);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    result = import(dest_url_, {"--config-dir", source_backup.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
    EXPECT_NE(result.out.find("restored directory"), std::string::npos) << result.out;
    EXPECT_EQ(last_run()->getValue<std::string>("status"), "succeeded");
    result = backup(dest_url_, dest_backup);
    ASSERT_EQ(result.exit_code, 0) << result.err;

    // Ids differ: the destination had other objects first.
    EXPECT_NE(ids_by_name(source_backup, "hostgroups").at("RT group A"), ids_by_name(dest_backup, "hostgroups").at("RT group A"));
    EXPECT_NE(ids_by_name(source_backup, "usergroups").at("RT operators"), ids_by_name(dest_backup, "usergroups").at("RT operators"));
    EXPECT_NE(ids_by_name(source_backup, "mediatypes").at("RT mail"), ids_by_name(dest_backup, "mediatypes").at("RT mail"));

    // Exports: everything of the source is at the destination with the same content; the
    // destination has only its own extras beside it.
    expect_subset(export_objects(source_backup / "templates.json", "templates", "template"),
                  export_objects(dest_backup / "templates.json", "templates", "template"), "template");
    expect_subset(top_level(source_backup / "templates.json", "triggers"), top_level(dest_backup / "templates.json", "triggers"),
                  "trigger");
    EXPECT_EQ(export_objects(dest_backup / "templates.json", "templates", "template").size(),
              export_objects(source_backup / "templates.json", "templates", "template").size() + 1);  // Dest extra template
    EXPECT_EQ(export_objects(source_backup / "hosts.json", "hosts", "host"), export_objects(dest_backup / "hosts.json", "hosts", "host"));
    const auto host = object(export_objects(dest_backup / "hosts.json", "hosts", "host").at("rt-host"));
    EXPECT_EQ(host->getObject("inventory")->getValue<std::string>("notes"), "line one\nline two");
    EXPECT_EQ(host->getArray("macros")->getObject(0)->getValue<std::string>("macro"), "{$RT_HOST}");
    const std::string host_groups = GetParam().from.at_least(6, 2) ? "host_groups" : "groups";
    const auto source_groups = export_objects(source_backup / "hostgroups.json", host_groups, "name");
    EXPECT_TRUE(source_groups.count("RT group A")) << "no host groups under " << host_groups;
    expect_subset(source_groups, export_objects(dest_backup / "hostgroups.json", host_groups, "name"), "host group");

    // Media types: equal but for their ids.
    auto without_id = [](Object::Ptr o) {
        o->remove("mediatypeid");
        return zabbix_format::to_json(o);
    };
    const auto source_media = by_name(read(source_backup / "mediatypes.json"));
    const auto dest_media = by_name(read(dest_backup / "mediatypes.json"));
    for (const auto& [name, mediatype] : source_media) {
        ASSERT_TRUE(dest_media.count(name)) << name;
        EXPECT_EQ(without_id(dest_media.at(name)), without_id(mediatype)) << name;
    }

    // Actions point at the same objects by name.
    const auto trigger_actions = by_name(read(dest_backup / "trigger_actions.json"));
    ASSERT_TRUE(trigger_actions.count("RT notify"));
    const auto notify = trigger_actions.at("RT notify");
    const auto groups = names_by_id(dest_backup, "hostgroups");
    const auto templates = names_by_id(dest_backup, "templates");
    const auto conditions = notify->getObject("filter")->getArray("conditions");
    std::set<std::string> condition_names;
    for (const auto& c : *conditions) {
        const auto condition = c.extract<Object::Ptr>();
        const auto type = condition->getValue<int>("conditiontype");
        const auto value = condition->getValue<std::string>("value");
        condition_names.insert(type == 0 ? groups.at(value) : templates.at(value));
    }
    EXPECT_EQ(condition_names, (std::set<std::string>{"RT group A", "RT app"}));
    const auto operation = notify->getArray("operations")->getObject(0);
    EXPECT_EQ(names_by_id(dest_backup, "mediatypes").at(operation->getObject("opmessage")->getValue<std::string>("mediatypeid")), "RT mail");
    EXPECT_EQ(operation->getObject("opmessage")->getValue<std::string>("subject"), "RT {EVENT.NAME}");
    EXPECT_EQ(operation->getValue<std::string>("esc_step_to"), "2");
    EXPECT_EQ(names_by_id(dest_backup, "usergroups").at(operation->getArray("opmessage_grp")->getObject(0)->getValue<std::string>("usrgrpid")),
              "RT operators");
    EXPECT_EQ(notify->getArray("recovery_operations")->size(), 1u);

    const auto register_action = by_name(read(dest_backup / "reg_actions.json")).at("RT register");
    std::map<std::string, std::string> targets;
    for (const auto& o : *register_action->getArray("operations")) {
        const auto op = o.extract<Object::Ptr>();
        if (op->has("optemplate")) targets["template"] = templates.at(op->getArray("optemplate")->getObject(0)->getValue<std::string>("templateid"));
        if (op->has("opgroup")) targets["group"] = groups.at(op->getArray("opgroup")->getObject(0)->getValue<std::string>("groupid"));
    }
    EXPECT_EQ(targets, (std::map<std::string, std::string>{{"group", "RT group B"}, {"template", "RT app"}}));
    EXPECT_EQ(register_action->getObject("filter")->getArray("conditions")->getObject(0)->getValue<std::string>("value"), "rt-metadata");

    // A second import writes nothing: everything is recognised as unchanged.
    result = import(dest_url_, {"--config-dir", source_backup.string(), "--output", "json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto steps = array(result.out);
    for (const auto& row : *steps) {
        const auto step = row.extract<Object::Ptr>();
        EXPECT_EQ(step->getValue<int>("created") + step->getValue<int>("updated"), 0) << step->getValue<std::string>("step");
    }
}

TEST_P(ZabbixImport, FromRunRestoresTheBackupKeptInHistoryAndDryRunWritesNothing) {
    populate_source();
    auto result = backup(source_url_, work_ / "source");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto run = std::to_string(last_run()->getValue<std::int64_t>("id"));
    fs::remove_all(work_ / "source");  // history alone holds it now

    // RT notify names a user group the destination lacks and this run does not restore (it skips
    // user groups): the dry run says so too (exit 13).
    result = import(dest_url_, {"--from-run", run, "--dry-run", "--skip", "usergroups"});
    EXPECT_EQ(result.exit_code, 13) << result.err;
    EXPECT_NE(result.out.find("importcompare: "), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("dry run"), std::string::npos) << result.out;
    auto zbx = client(dest_url_);
    zbx.login();
    EXPECT_EQ(array(zbx.call("template.get", R"({"filter":{"host":"RT app"}})"))->size(), 0u) << "the dry run wrote a template";
    EXPECT_EQ(array(zbx.call("action.get", R"({"filter":{"name":"RT register"}})"))->size(), 0u) << "the dry run wrote an action";

    // Everything else is restored, the action is listed by name, and the run ends with exit 13.
    result = import(dest_url_, {"--from-run", run, "--skip", "usergroups"});
    EXPECT_EQ(result.exit_code, 13) << result.err;
    EXPECT_NE(result.err.find("'RT notify' names user group 'RT operators' (the destination lacks it and this run does not "
                              "restore it)"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(array(zbx.call("template.get", R"({"filter":{"host":"RT app"}})"))->size(), 1u);
    EXPECT_EQ(array(zbx.call("action.get", R"({"filter":{"name":"RT register"}})"))->size(), 1u);
    EXPECT_EQ(array(zbx.call("action.get", R"({"filter":{"name":"RT notify"}})"))->size(), 0u);
    expect_failed_run(13);

    // Once the user group exists, a rerun restores it and duplicates nothing.
    zbx.call("usergroup.create", R"({"name":"RT operators"})");
    result = import(dest_url_, {"--from-run", run, "--skip", "usergroups"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(array(zbx.call("action.get", R"({"filter":{"name":"RT notify"}})"))->size(), 1u);
    EXPECT_EQ(array(zbx.call("action.get", R"({"filter":{"name":"RT register"}})"))->size(), 1u);

    result = import(dest_url_, {"--from-run", "999999"});
    EXPECT_EQ(result.exit_code, 11) << result.err;
    EXPECT_NE(result.err.find("no run 999999"), std::string::npos) << result.err;
}

TEST_P(ZabbixImport, ApiErrorMidImportFailsTheRunAndARerunCompletesWithoutDuplicates) {
    populate_source();
    auto result = backup(source_url_, work_ / "source");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // A template at the destination bearing the host's name: the hosts step fails after the
    // groups and templates are in.
    auto zbx = client(dest_url_);
    zbx.login();
    zbx.call("usergroup.create", R"({"name":"RT operators"})");
    const auto blocker = first_id(zbx.call("template.create", R"({"host":"rt-host","groups":[{"groupid":"1"}]})"), "templateids");
    result = import(dest_url_, {"--config-dir", (work_ / "source").string()});
    EXPECT_EQ(result.exit_code, 9) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find("hosts: Zabbix API error"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("rerun"), std::string::npos) << result.err;
    EXPECT_NE(result.out.find("failed"), std::string::npos) << result.out;  // the steps table
    expect_failed_run(9);
    EXPECT_EQ(array(zbx.call("template.get", R"({"filter":{"host":"RT app"}})"))->size(), 1u) << "templates came before the failure";
    EXPECT_EQ(array(zbx.call("host.get", R"({"filter":{"host":"rt-host"}})"))->size(), 0u);

    zbx.call("template.delete", R"([")" + blocker + R"("])");
    result = import(dest_url_, {"--config-dir", (work_ / "source").string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    for (const auto& [method, filter] : std::vector<std::pair<std::string, std::string>>{
             {"template.get", R"({"filter":{"host":["RT app","RT base"]}})"},
             {"host.get", R"({"filter":{"host":"rt-host"}})"},
             {"hostgroup.get", R"({"filter":{"name":["RT group A","RT group B"]}})"},
             {"mediatype.get", R"({"filter":{"name":"RT mail"}})"},
             {"action.get", R"({"filter":{"name":["RT notify","RT register"]}})"}}) {
        const auto found = array(zbx.call(method, filter))->size();
        EXPECT_EQ(found, method == "host.get" || method == "mediatype.get" ? 1u : 2u) << method;
    }
}

TEST_P(ZabbixImport, EarlierToolsDirectoryWithNullFilesImports) {
    populate_source();
    auto result = backup(source_url_, work_ / "source");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // What the earlier tool wrote: the raw exports and *.get results, null for none, and only
    // the old map of templates and host groups; no manifest, no id_map_backup.json.
    const auto seed = work_ / "seed";
    fs::create_directories(seed);
    for (const char* name : {"templates.json", "hostgroups.json", "hosts.json", "mediatypes.json", "reg_actions.json", "actions_data_orig.json"})
        fs::copy_file(work_ / "source" / name, seed / name);
    for (const char* name : {"trigger_actions.json", "services.json", "proxies.json"}) write(seed / name, "null");
    result = import(dest_url_, {"--config-dir", seed.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
    EXPECT_NE(result.err.find("no manifest.json"), std::string::npos) << result.err;
    auto zbx = client(dest_url_);
    zbx.login();
    EXPECT_EQ(array(zbx.call("host.get", R"({"filter":{"host":"rt-host"}})"))->size(), 1u);
    // The old map names templates and host groups: enough for the auto-registration action.
    EXPECT_EQ(array(zbx.call("action.get", R"({"filter":{"name":"RT register"}})"))->size(), 1u);
}

// ---- bad input -----------------------------------------------------------------------------

class ZabbixImportBadInput : public ZabbixImport {
protected:
    void SetUp() override {
        ZabbixImport::SetUp();
        if (HasFatalFailure()) return;
        good_ = work_ / "good";
        ASSERT_EQ(backup(source_url_, good_).exit_code, 0);
    }
    /// A copy of the good backup with one file changed (and no manifest, unless kept).
    fs::path damaged(const std::string& file, const std::function<void(const fs::path&)>& change) {
        const auto dir = work_ / ("damaged-" + std::to_string(++copies_));
        fs::copy(good_, dir);
        change(dir / file);
        return dir;
    }
    fs::path good_;
    int copies_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Versions, ZabbixImportBadInput, testing::ValuesIn(same_version_routes()), route_name);

TEST_P(ZabbixImportBadInput, MissingTruncatedMalformedOrChangedFilesAreExit5BeforeAnythingIsSent) {
    expect_invalid(damaged("hosts.json", [](const fs::path& p) { fs::remove(p); }), "lacks hosts.json, which its manifest.json lists");
    expect_invalid(damaged("hosts.json", [](const fs::path& p) {
                       fs::remove(p.parent_path() / "manifest.json");
                       fs::remove(p);
                   }),
                   "has no hosts.json");
    expect_invalid(damaged("templates.json", [](const fs::path& p) { fs::resize_file(p, fs::file_size(p) / 2); }),
                   "templates.json in directory");
    auto no_manifest = [](const fs::path& p) { fs::remove(p.parent_path() / "manifest.json"); };
    expect_invalid(damaged("templates.json", [&](const fs::path& p) {
                       no_manifest(p);
                       fs::resize_file(p, fs::file_size(p) / 2);
                   }),
                   "templates.json in directory");
    expect_invalid(damaged("trigger_actions.json", [&](const fs::path& p) {
                       no_manifest(p);
                       write(p, "{not json");
                   }),
                   "trigger_actions.json in directory");
    // Valid JSON, changed after the backup: only the manifest's sha256 notices.
    expect_invalid(damaged("mediatypes.json", [](const fs::path& p) { write(p, "[]"); }), "does not match its sha256");
    expect_invalid(work_ / "nowhere", "does not exist");
}

TEST_P(ZabbixImportBadInput, WrongPasswordIsExit6AndTheCanaryIsNowhere) {
    const std::string canary = "Canary-Import-" + std::to_string(::getpid());
    sandbox_.env["ZBX_PASS"] = canary;
    const auto result = import(dest_url_, {"--config-dir", good_.string()});
    EXPECT_EQ(result.exit_code, 6) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(result.out.find(canary), std::string::npos);
    EXPECT_EQ(result.err.find(canary), std::string::npos) << result.err;
    expect_failed_run(6);
    for (const auto& entry : fs::directory_iterator(sandbox_.history_db().parent_path()))
        EXPECT_EQ(read(entry.path()).find(canary), std::string::npos) << entry.path();
}

TEST_P(ZabbixImportBadInput, UnreachableHostIsExit7) {
    const auto result = import("http://127.0.0.1:1/", {"--config-dir", good_.string()});
    EXPECT_EQ(result.exit_code, 7) << result.err;
    expect_failed_run(7);
}

TEST_P(ZabbixImportBadInput, SelfSignedHttpsIsRefusedUnlessVerificationIsOff) {
    TlsProxy proxy(dest_url_);
    ASSERT_TRUE(proxy.error().empty()) << proxy.error();
    auto result = import(proxy.url(), {"--config-dir", good_.string()});
    EXPECT_EQ(result.exit_code, 8) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    expect_failed_run(8);
    result = import(proxy.url(), {"--config-dir", good_.string(), "--insecure"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

}  // namespace
}  // namespace concierge::test
