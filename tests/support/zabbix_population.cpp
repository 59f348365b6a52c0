// populate_every_kind: see zabbix_population.hpp. Each call is written as the JSON a reader would
// send by hand, with two kinds of placeholders filled in before sending: @member@ is a name from
// Population (JSON-escaped), #member# is the id the source gave the object created under that
// member. The calls and the quirks of 6.0.14 and 7.0.22 they respect were tried on the sandbox first;
// where 7.0 renamed a field, the call is written for each.
#include "zabbix_population.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cctype>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace concierge::test {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// A 1x1 PNG, small enough to keep inline.
constexpr const char* kTinyPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

std::string json_escaped(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

class Populator {
public:
    explicit Populator(zabbix::Client& client)
        : client_(client), hostgroup_rights_(client.version().at_least(6, 2)), proxy_names_(client.version().at_least(7, 0)) {}

    Population run() {
        hosts_side();
        users_side();
        scripts();
        macros();
        maintenance();
        discovery();
        services_and_sla();
        images_and_maps();
        dashboard();
        correlation();
        actions();
        return p_;
    }

private:
    // ---- helpers ---------------------------------------------------------------------------

    /// The name of a Population member, for @member@.
    const std::string& name(const std::string& member) const {
        static const std::vector<std::pair<const char*, std::string Population::*>> members = {
            {"hostgroup", &Population::hostgroup},
            {"template_name", &Population::template_name},
            {"host", &Population::host},
            {"item_key", &Population::item_key},
            {"item", &Population::item},
            {"graph", &Population::graph},
            {"trigger_description", &Population::trigger_description},
            {"trigger_expression", &Population::trigger_expression},
            {"mediatype", &Population::mediatype},
            {"mediatype_sendto", &Population::mediatype_sendto},
            {"role", &Population::role},
            {"usergroup", &Population::usergroup},
            {"user", &Population::user},
            {"user_password", &Population::user_password},
            {"script", &Population::script},
            {"script_manual", &Population::script_manual},
            {"script_webhook", &Population::script_webhook},
            {"proxy_active", &Population::proxy_active},
            {"proxy_psk_identity", &Population::proxy_psk_identity},
            {"proxy_psk", &Population::proxy_psk},
            {"proxy_passive", &Population::proxy_passive},
            {"macro_plain", &Population::macro_plain},
            {"macro_plain_value", &Population::macro_plain_value},
            {"macro_secret", &Population::macro_secret},
            {"macro_secret_value", &Population::macro_secret_value},
            {"macro_vault", &Population::macro_vault},
            {"macro_vault_value", &Population::macro_vault_value},
            {"maintenance", &Population::maintenance},
            {"drule", &Population::drule},
            {"drule_local", &Population::drule_local},
            {"service_parent", &Population::service_parent},
            {"service_child", &Population::service_child},
            {"sla", &Population::sla},
            {"image", &Population::image},
            {"iconmap", &Population::iconmap},
            {"map", &Population::map},
            {"dashboard", &Population::dashboard},
            {"correlation", &Population::correlation},
            {"trigger_action", &Population::trigger_action},
            {"discovery_action", &Population::discovery_action},
            {"autoreg_action", &Population::autoreg_action},
            {"internal_action", &Population::internal_action},
        };
        for (const auto& [key, pointer] : members)
            if (member == key) return p_.*pointer;
        throw std::logic_error("zabbix_population: no member @" + member + "@");
    }

    const std::string& id(const std::string& member) const {
        const auto found = p_.ids.find(member);
        if (found == p_.ids.end()) throw std::logic_error("zabbix_population: #" + member + "# is not created yet");
        return found->second;
    }

    /// The text with @member@ and #member# filled in. Only [a-z_] between the marks counts as a
    /// placeholder, so an '@' in a value ("ops@example.com" comes in through a placeholder anyway)
    /// or a '#' elsewhere is left alone; substituted text is never rescanned.
    std::string fill(std::string_view text) const {
        std::string out;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char mark = text[i];
            if (mark == '@' || mark == '#') {
                std::size_t end = i + 1;
                while (end < text.size() && (std::islower(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
                if (end < text.size() && end > i + 1 && text[end] == mark) {
                    const std::string member(text.substr(i + 1, end - i - 1));
                    out += mark == '@' ? json_escaped(name(member)) : id(member);
                    i = end;
                    continue;
                }
            }
            out += mark;
        }
        return out;
    }

    std::string call(const std::string& method, std::string_view params) { return client_.call(method, fill(params)); }

    /// Calls a *.create and keeps the first id it answers under `member`.
    void create(const std::string& member, const std::string& method, std::string_view params, const std::string& ids_key) {
        const auto result = Poco::JSON::Parser().parse(call(method, params)).extract<Object::Ptr>();
        p_.ids[member] = result->getArray(ids_key)->getElement<std::string>(0);
    }

    // ---- the objects -----------------------------------------------------------------------

    /// A host group, a template, a host on the active proxy with a trapper item, a graph and a
    /// trigger: what actions, maintenances, maps and dashboards point at. Proxies come first,
    /// since the host is monitored by one.
    void hosts_side() {
        create("hostgroup", "hostgroup.create", R"({"name":"@hostgroup@"})", "groupids");
        create("template_name", "template.create", R"({"host":"@template_name@","groups":[{"groupid":"1"}]})", "templateids");
        // tls_accept 2 = PSK. 6.0.14 would accept it without tls_psk* and store an empty PSK. 7.0 names
        // a proxy "name", says operating_mode 0/1 for status 5/6, and has an address for an interface.
        const std::string psk = R"("description":"active proxy with PSK","tls_connect":1,"tls_accept":2,)"
                                R"("tls_psk_identity":"@proxy_psk_identity@","tls_psk":"@proxy_psk@"})";
        if (proxy_names_) {
            create("proxy_active", "proxy.create", R"({"name":"@proxy_active@","operating_mode":0,)" + psk, "proxyids");
            create("proxy_passive", "proxy.create",
                   R"({"name":"@proxy_passive@","operating_mode":1,"address":"192.0.2.20","port":"10051"})", "proxyids");
        } else {
            create("proxy_active", "proxy.create", R"({"host":"@proxy_active@","status":5,)" + psk, "proxyids");
            create("proxy_passive", "proxy.create",
                   R"({"host":"@proxy_passive@","status":6,"interface":{"useip":1,"ip":"192.0.2.20","dns":"","port":"10051"}})",
                   "proxyids");
        }
        create("host", "host.create",
               R"({"host":"@host@","groups":[{"groupid":"#hostgroup#"}],"templates":[{"templateid":"#template_name#"}],)" +
                   std::string(proxy_names_ ? R"("monitored_by":1,"proxyid")" : R"("proxy_hostid")") +
                   R"(:"#proxy_active#","interfaces":[{"type":1,"main":1,"useip":1,"ip":"192.0.2.10","dns":"","port":"10050"}]})",
               "hostids");
        create("item", "item.create", R"({"hostid":"#host#","name":"@item@","key_":"@item_key@","type":2,"value_type":0})", "itemids");
        create("graph", "graph.create", R"({"name":"@graph@","width":900,"height":200,"gitems":[{"itemid":"#item#","color":"00AA00"}]})",
               "graphids");
        create("trigger_description", "trigger.create",
               R"({"description":"@trigger_description@","expression":"@trigger_expression@","priority":4})", "triggerids");
    }

    /// Services are created here too: the role's services.read.list names one.
    void users_side() {
        create("mediatype", "mediatype.create",
               R"({"name":"@mediatype@","type":0,"smtp_server":"mail.example.com","smtp_helo":"example.com",)"
               R"("smtp_email":"zabbix@example.com","content_type":1})",
               "mediatypeids");
        create("service_child", "service.create",
               R"({"name":"@service_child@","algorithm":1,"sortorder":0,"problem_tags":[{"tag":"service","operator":0,"value":"dr-web"}],)"
               R"("tags":[{"tag":"team","value":"dr"}]})",
               "serviceids");
        create("service_parent", "service.create",
               R"({"name":"@service_parent@","algorithm":2,"sortorder":0,"description":"DR parent",)"
               R"("children":[{"serviceid":"#service_child#"}],"tags":[{"tag":"team","value":"dr"}],)"
               R"("status_rules":[{"type":1,"limit_value":50,"limit_status":4,"new_status":5}]})",
               "serviceids");
        create("role", "role.create",
               R"({"name":"@role@","type":1,"rules":{)"
               R"("ui":[{"name":"monitoring.dashboard","status":1},{"name":"monitoring.problems","status":1},)"
               R"({"name":"monitoring.hosts","status":1},{"name":"monitoring.maps","status":1},)"
               R"({"name":"services.services","status":1},{"name":"reports.availability_report","status":0}],)"
               R"("ui.default_access":0,"services.read.mode":0,"services.read.list":[{"serviceid":"#service_parent#"}],)"
               R"("services.write.mode":0,"modules.default_access":1,"api.access":1,"api.mode":0,"api":[],)"
               R"("actions":[{"name":"acknowledge_problems","status":1}],"actions.default_access":0}})",
               "roleids");
        // 6.0 names host group permissions "rights" (6.2 renamed them hostgroup_rights).
        create("usergroup", "usergroup.create",
               R"({"name":"@usergroup@","gui_access":0,"users_status":0,")" + std::string(hostgroup_rights_ ? "hostgroup_rights" : "rights") +
                   R"(":[{"permission":3,"id":"#hostgroup#"}],"tag_filters":[{"groupid":"#hostgroup#","tag":"service","value":"dr-web"}]})",
               "usrgrpids");
        // The password must not contain the name, surname or username.
        create("user", "user.create",
               R"({"username":"@user@","name":"DR","surname":"Operator","passwd":"@user_password@","roleid":"#role#",)"
               R"("usrgrps":[{"usrgrpid":"#usergroup#"}],"medias":[{"mediatypeid":"#mediatype#","sendto":["@mediatype_sendto@"],)"
               R"("active":0,"severity":60,"period":"1-7,00:00-24:00"}]})",
               "userids");
    }

    void scripts() {
        // Scope 1 (action operation) refuses usrgrpid, host_access, confirmation and menu_path.
        create("script", "script.create",
               R"({"name":"@script@","scope":1,"type":0,"execute_on":1,"command":"echo scale {HOST.HOST} {EVENT.ID}",)"
               R"("groupid":"#hostgroup#","description":"runs from the DR trigger action"})",
               "scriptids");
        create("script_manual", "script.create",
               R"({"name":"@script_manual@","scope":2,"type":0,"execute_on":2,"command":"uptime","menu_path":"DR/tools",)"
               R"("usrgrpid":"#usergroup#","groupid":"#hostgroup#","host_access":2,"confirmation":"Run uptime on {HOST.HOST}?"})",
               "scriptids");
        // Only webhooks take parameters.
        create("script_webhook", "script.create",
               R"({"name":"@script_webhook@","scope":4,"type":5,"timeout":"10s","command":"var p = JSON.parse(value); return p.host;",)"
               R"("parameters":[{"name":"host","value":"{HOST.HOST}"},{"name":"event","value":"{EVENT.ID}"}],"menu_path":"DR"})",
               "scriptids");
    }

    void macros() {
        create("macro_plain", "usermacro.createglobal",
               R"({"macro":"@macro_plain@","value":"@macro_plain_value@","description":"plain canary"})", "globalmacroids");
        create("macro_secret", "usermacro.createglobal",
               R"({"macro":"@macro_secret@","value":"@macro_secret_value@","type":1,"description":"secret canary"})", "globalmacroids");
        // A vault macro needs no vault configured: its value is only a path.
        create("macro_vault", "usermacro.createglobal",
               R"({"macro":"@macro_vault@","value":"@macro_vault_value@","type":2,"description":"vault macro"})", "globalmacroids");
    }

    void maintenance() {
        // 2026-01-01 .. 2027-01-01; a weekly (type 3) and a one-time (type 0) period.
        create("maintenance", "maintenance.create",
               R"({"name":"@maintenance@","active_since":1767225600,"active_till":1798761600,"maintenance_type":0,)"
               R"("tags_evaltype":0,"description":"weekly window","groups":[{"groupid":"#hostgroup#"}],"hosts":[{"hostid":"#host#"}],)"
               R"("timeperiods":[{"timeperiod_type":3,"every":1,"dayofweek":64,"start_time":7200,"period":3600},)"
               R"({"timeperiod_type":0,"start_date":1767225600,"period":7200}],)"
               R"("tags":[{"tag":"service","operator":2,"value":"dr-web"}]})",
               "maintenanceids");
    }

    /// The proxy is a property of the rule, not of a check: one rule through the proxy with two
    /// checks, one local rule.
    void discovery() {
        create("drule", "drule.create",
               R"({"name":"@drule@","iprange":"192.0.2.1-254","delay":"1h",")" + std::string(proxy_names_ ? "proxyid" : "proxy_hostid") +
                   R"(":"#proxy_active#",)"
               R"("dchecks":[{"type":9,"key_":"system.uname","ports":"10050","uniq":0},{"type":12,"uniq":0}]})",
               "druleids");
        create("drule_local", "drule.create",
               R"({"name":"@drule_local@","iprange":"198.51.100.1-10","delay":"2h","status":1,"dchecks":[{"type":8,"ports":"80,443"}]})",
               "druleids");
        // The discovery action's dcheck condition needs a check's id: the agent check.
        const auto checks = Poco::JSON::Parser()
                                .parse(call("dcheck.get", R"({"output":["dcheckid","type"],"druleids":["#drule#"],"filter":{"type":9}})"))
                                .extract<Array::Ptr>();
        p_.ids["dcheck"] = checks->getObject(0)->getValue<std::string>("dcheckid");
    }

    void services_and_sla() {
        create("sla", "sla.create",
               R"({"name":"@sla@","slo":"99.9","period":2,"timezone":"Europe/Riga","effective_date":1767225600,"description":"DR sla",)"
               R"("service_tags":[{"tag":"team","operator":0,"value":"dr"}],"schedule":[{"period_from":0,"period_to":601200}],)"
               R"("excluded_downtimes":[{"name":"DR upgrade","period_from":1767225600,"period_to":1767232800}]})",
               "slaids");
    }

    void images_and_maps() {
        create("image", "image.create", std::string(R"({"name":"@image@","imagetype":1,"image":")") + kTinyPng + R"("})", "imageids");
        // Inventory field 1 (type) and 4 (alias) mapped to the custom image and to a built-in one.
        create("iconmap", "iconmap.create",
               R"({"name":"@iconmap@","default_iconid":"#image#","mappings":[{"inventory_link":1,"expression":"^linux","iconid":"#image#"},)"
               R"({"inventory_link":4,"expression":"dr","iconid":"2"}]})",
               "iconmapids");
        // selementid here is only the key the links use; the server renumbers.
        create("map", "map.create",
               R"({"name":"@map@","width":800,"height":600,"iconmapid":"#iconmap#","selements":[)"
               R"({"selementid":"1","elementtype":0,"elements":[{"hostid":"#host#"}],"iconid_off":"#image#","use_iconmap":1,"x":100,"y":100},)"
               R"({"selementid":"2","elementtype":3,"elements":[{"groupid":"#hostgroup#"}],"iconid_off":"#image#","x":300,"y":100}],)"
               R"("links":[{"selementid1":"1","selementid2":"2","color":"00CC00"}]})",
               "sysmapids");
    }

    /// Widget field types: 0 integer, 4 item, 6 graph, 8 map.
    void dashboard() {
        create("dashboard", "dashboard.create",
               R"({"name":"@dashboard@","display_period":30,"auto_start":1,"pages":[{"name":"DR page","widgets":[)"
               R"({"type":"graph","name":"DR graph widget","x":0,"y":0,"width":12,"height":5,)"
               R"("fields":[{"type":0,"name":"source_type","value":0},{"type":6,"name":"graphid","value":"#graph#"}]},)"
               R"({"type":"plaintext","name":"DR item widget","x":12,"y":0,"width":12,"height":5,)"
               R"("fields":[{"type":4,"name":"itemids","value":"#item#"}]},)"
               R"({"type":"map","name":"DR map widget","x":0,"y":5,"width":12,"height":5,)"
               R"("fields":[{"type":8,"name":"sysmapid","value":"#map#"}]}]}],)"
               R"("userGroups":[{"usrgrpid":"#usergroup#","permission":3}],"users":[{"userid":"#user#","permission":2}]})",
               "dashboardids");
    }

    void correlation() {
        // Condition 0: old event tag; 3: old and new event tag values match. Operation 0: close old events.
        create("correlation", "correlation.create",
               R"({"name":"@correlation@","description":"close old","status":0,"filter":{"evaltype":0,"conditions":[)"
               R"({"type":0,"tag":"service"},{"type":3,"oldtag":"service","newtag":"service"}]},"operations":[{"type":0}]})",
               "correlationids");
    }

    void actions() {
        // Conditions 2 (trigger) and 0 (host group); operations: message the group and the user
        // through the custom media type, then run the global script on the event's host (hostid 0).
        create("trigger_action", "action.create",
               R"({"name":"@trigger_action@","eventsource":0,"status":0,"esc_period":"1h",)"
               R"("filter":{"evaltype":0,"conditions":[{"conditiontype":2,"operator":0,"value":"#trigger_description#"},)"
               R"({"conditiontype":0,"operator":0,"value":"#hostgroup#"}]},)"
               R"("operations":[{"operationtype":0,"esc_step_from":1,"esc_step_to":1,"opmessage":{"default_msg":1,"mediatypeid":"#mediatype#"},)"
               R"("opmessage_grp":[{"usrgrpid":"#usergroup#"}],"opmessage_usr":[{"userid":"#user#"}]},)"
               R"({"operationtype":1,"esc_step_from":2,"esc_step_to":2,"opcommand":{"scriptid":"#script#"},"opcommand_hst":[{"hostid":"0"}]}],)"
               R"("recovery_operations":[{"operationtype":11,"opmessage":{"default_msg":1}}],)"
               R"("update_operations":[{"operationtype":0,"opmessage":{"default_msg":0,"subject":"DR update","message":"updated {EVENT.ID}",)"
               R"("mediatypeid":"#mediatype#"},"opmessage_grp":[{"usrgrpid":"#usergroup#"}]}]})",
               "actionids");
        // Conditions 18 (drule), 19 (dcheck), 20 (proxy); add host, add to group, link template.
        // Discovery and autoregistration actions refuse recovery/update operations and esc_period.
        create("discovery_action", "action.create",
               R"({"name":"@discovery_action@","eventsource":1,"status":0,"filter":{"evaltype":0,"conditions":[)"
               R"({"conditiontype":18,"operator":0,"value":"#drule#"},{"conditiontype":19,"operator":0,"value":"#dcheck#"},)"
               R"({"conditiontype":20,"operator":0,"value":"#proxy_active#"}]},)"
               R"("operations":[{"operationtype":2},{"operationtype":4,"opgroup":[{"groupid":"#hostgroup#"}]},)"
               R"({"operationtype":6,"optemplate":[{"templateid":"#template_name#"}]}]})",
               "actionids");
        // Conditions 20 (proxy) and 22 (host name contains).
        create("autoreg_action", "action.create",
               R"({"name":"@autoreg_action@","eventsource":2,"status":0,"filter":{"evaltype":0,"conditions":[)"
               R"({"conditiontype":20,"operator":0,"value":"#proxy_active#"},{"conditiontype":22,"operator":2,"value":"dr-"}]},)"
               R"("operations":[{"operationtype":2},{"operationtype":4,"opgroup":[{"groupid":"#hostgroup#"}]},)"
               R"({"operationtype":0,"opmessage":{"default_msg":1,"mediatypeid":"#mediatype#"},"opmessage_grp":[{"usrgrpid":"#usergroup#"}]}]})",
               "actionids");
        // Condition 23 (event type 0: item not supported) and the host group.
        create("internal_action", "action.create",
               R"({"name":"@internal_action@","eventsource":3,"status":0,"esc_period":"1h","filter":{"evaltype":0,"conditions":[)"
               R"({"conditiontype":23,"operator":0,"value":"0"},{"conditiontype":0,"operator":0,"value":"#hostgroup#"}]},)"
               R"("operations":[{"operationtype":0,"opmessage":{"default_msg":1,"mediatypeid":"#mediatype#"},"opmessage_usr":[{"userid":"#user#"}]}],)"
               R"("recovery_operations":[{"operationtype":0,"opmessage":{"default_msg":1,"mediatypeid":"#mediatype#"},)"
               R"("opmessage_grp":[{"usrgrpid":"#usergroup#"}]}]})",
               "actionids");
    }

    zabbix::Client& client_;
    const bool hostgroup_rights_;  // 6.2+
    const bool proxy_names_;       // 7.0+: proxies' name, operating_mode, address; proxyid elsewhere
    Population p_;
};

}  // namespace

Population populate_every_kind(zabbix::Client& client) { return Populator(client).run(); }

}  // namespace concierge::test
