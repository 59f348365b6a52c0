#include "import_rules.hpp"

#include <concierge/sdk/status.hpp>

#include <utility>
#include <vector>

namespace concierge::zabbix_import {

namespace {

enum Flags { create = 1, update = 2, remove = 4 };

std::string rule(const std::string& key, int flags) {
    std::string out = "\"" + key + "\":{";
    bool first = true;
    auto add = [&](const char* name) {
        out += first ? "" : ",";
        out += std::string("\"") + name + "\":true";
        first = false;
    };
    if (flags & create) add("createMissing");
    if (flags & update) add("updateExisting");
    if (flags & remove) add("deleteMissing");
    return out + "}";
}

}  // namespace

std::string import_rules(const zabbix::Version& v, bool delete_missing) {
    if (!v.at_least(5, 0))
        throw sdk::Error(sdk::ExitCode::RemoteError,
                         "the destination runs Zabbix " + v.text + "; zabbix-import restores into Zabbix 5.0 and later");
    const int removable = delete_missing ? remove : 0;
    std::vector<std::pair<std::string, int>> rules;
    // 6.2 split template groups from host groups; before 5.4 groups could only be created.
    if (v.at_least(6, 2)) {
        rules.emplace_back("host_groups", create | update);
        rules.emplace_back("template_groups", create | update);
    } else {
        rules.emplace_back("groups", v.at_least(5, 4) ? create | update : create);
    }
    rules.emplace_back("templates", create | update);
    rules.emplace_back("hosts", create | update);
    rules.emplace_back("templateLinkage", create | removable);
    for (const char* key : {"items", "triggers", "graphs", "discoveryRules", "httptests"})
        rules.emplace_back(key, create | update | removable);
    // Applications went in 5.4; template screens became template dashboards in 5.2.
    if (!v.at_least(5, 4)) rules.emplace_back("applications", create | removable);
    rules.emplace_back(v.at_least(5, 2) ? "templateDashboards" : "templateScreens", create | update | removable);
    rules.emplace_back("valueMaps", create | update | removable);

    std::string out = "{";
    for (const auto& [key, flags] : rules) {
        if (out.size() > 1) out += ',';
        out += rule(key, flags);
    }
    return out + "}";
}

std::string import_rules_for(const std::string& export_key) {
    std::string out = "{";
    if (export_key == "maps") {
        out += rule("images", create);
        out += ',';
        out += rule("maps", create | update);
    } else {
        out += rule(export_key == "media_types" ? "mediaTypes" : export_key, create | update);
    }
    out += '}';
    return out;
}

bool has_importcompare(const zabbix::Version& destination) { return destination.at_least(5, 4); }

}  // namespace concierge::zabbix_import
