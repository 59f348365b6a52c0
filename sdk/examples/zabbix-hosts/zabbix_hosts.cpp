// Lists the hosts of a Zabbix host group: the SDK's example of a plugin that talks to a remote
// service through a shared client library (Concierge::zabbix), turns its answers into a table
// (--output json for machines), keeps the list as an artifact and fails with documented exit codes.
#include <concierge/sdk/sdk.hpp>
#include <concierge/zabbix/client.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <string>
#include <string_view>

namespace {

using namespace concierge;
namespace json = zabbix::json;

// JSON text of a string, for building request parameters.
std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;  // a group name holds no control characters
        out += c;
    }
    return out + "\"";
}

// A string member of a Zabbix object, decoded; empty when absent.
std::string text_of(std::string_view object, std::string_view key) {
    const auto value = json::member(object, key);
    return value && json::kind_of(*value) == json::Kind::String ? json::unescape(*value) : std::string();
}

// The address Zabbix polls: the main interface's IP or DNS name, as its useip says.
std::string main_address(std::string_view host) {
    const auto interfaces = json::member(host, "interfaces");
    if (!interfaces) return {};
    for (const auto interface : json::elements(*interfaces)) {
        if (text_of(interface, "main") != "1") continue;
        return text_of(interface, text_of(interface, "useip") == "1" ? "ip" : "dns");
    }
    return {};
}

class ZabbixHosts final : public sdk::Action {
public:
    std::vector<sdk::OptionSpec> options() const override {
        auto options = zabbix::connection_options();
        options.insert(options.begin(), {.name = "group", .help = "the host group's name", .required = true, .positional = true});
        return options;
    }

    std::string description() const override {
        return "Prints each host of the group with its visible name, whether it is monitored, whether it is "
               "in maintenance and its main address, and saves the list as the artifact hosts.json.";
    }

    void run(sdk::Context& ctx) override {
        const std::string group = ctx.require("group");
        zabbix::Client zabbix(zabbix::settings_from(ctx));
        zabbix.login();
        const std::string groups = zabbix.call("hostgroup.get", R"({"output":["groupid"],"filter":{"name":[)" + json_string(group) + "]}}");
        const auto found = json::elements(groups);
        if (found.empty())
            throw sdk::Error(sdk::ExitCode::NotFound, "no host group named '" + group + "' in Zabbix; check the name's spelling and case");
        ctx.check_cancelled();

        // The groupid member's text is a JSON string token, quotes included: it goes into the request as is.
        const std::string hosts = zabbix.call(
            "host.get", R"({"output":["host","name","status","maintenance_status"],"selectInterfaces":["main","useip","ip","dns"],)"
                        R"("sortfield":"host","groupids":[)" + std::string(*json::member(found.front(), "groupid")) + "]}");
        sdk::Table table{{{"host", "HOST"}, {"name", "NAME"}, {"monitored", "MONITORED"}, {"maintenance", "MAINTENANCE"},
                          {"address", "ADDRESS"}},
                         {}};
        for (const auto host : json::elements(hosts)) {
            table.rows.push_back({text_of(host, "host"), text_of(host, "name"), text_of(host, "status") == "0",
                                  text_of(host, "maintenance_status") == "1", main_address(host)});
        }
        ctx.table(table);
        ctx.artifact("hosts.json", ctx.table_json(table));
        ctx.set_summary(std::to_string(table.rows.size()) + " host(s) in group '" + group + "'");
    }
};

}  // namespace

CONCIERGE_PLUGIN(ZabbixHosts, "zabbix-hosts", "1.0.0", "Lists the hosts of a Zabbix host group (the SDK's example)")
