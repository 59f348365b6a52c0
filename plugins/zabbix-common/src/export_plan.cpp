#include "export_plan.hpp"

namespace concierge::zabbix_format {

std::string json_string_array(const std::vector<std::string>& values) {
    // Ids come from the API as decimal strings; anything else would be a bug upstream, so quote
    // only what cannot break the document.
    std::string out = "[";
    for (const auto& value : values) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (char c : value) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "]";
}

namespace {

/// A *.get of a few fields. Only some methods can sort, each by its own fields; the order matters
/// only for templates (the chunks follow it), so the others keep the API's order.
Request get(std::string method, const std::string& fields, const std::string& sortfield = {}) {
    if (sortfield.empty()) return {std::move(method), R"({"output":)" + fields + "}"};
    return {std::move(method), R"({"output":)" + fields + R"(,"sortfield":")" + sortfield + "\"}"};
}

Request export_of(const std::string& options) {
    return {"configuration.export", R"({"format":"json","options":{)" + options + "}}"};
}

}  // namespace

std::vector<MapList> id_map_lists(const zabbix::Version& version) {
    std::vector<MapList> lists;
    lists.push_back({"templates", "templateid", get("template.get", R"(["templateid","host"])", "host")});
    lists.push_back({"hostgroups", "groupid", get("hostgroup.get", R"(["groupid","name"])")});
    if (version.at_least(6, 2))
        lists.push_back({"templategroups", "groupid", get("templategroup.get", R"(["groupid","name"])")});
    lists.push_back({"hosts", "hostid", get("host.get", R"(["hostid","host"])")});
    lists.push_back({"mediatypes", "mediatypeid", get("mediatype.get", R"(["mediatypeid","name"])")});
    lists.push_back({"usergroups", "usrgrpid", get("usergroup.get", R"(["usrgrpid","name"])")});
    // user.login and user.get renamed "alias" to "username" in 5.4.
    if (version.at_least(5, 4))
        lists.push_back({"users", "userid", get("user.get", R"(["userid","username"])")});
    else
        lists.push_back({"users", "userid", get("user.get", R"(["userid","alias"])")});
    // Operations run scripts; auto-registration conditions name proxies ("host" became "name" in 7.0).
    lists.push_back({"scripts", "scriptid", get("script.get", R"(["scriptid","name"])")});
    if (version.at_least(7, 0))
        lists.push_back({"proxies", "proxyid", get("proxy.get", R"(["proxyid","name"])")});
    else
        lists.push_back({"proxies", "proxyid", get("proxy.get", R"(["proxyid","host"])")});
    // Icon maps name images; dashboards name maps.
    lists.push_back({"images", "imageid", get("image.get", R"(["imageid","name"])")});
    lists.push_back({"maps", "sysmapid", get("map.get", R"(["sysmapid","name"])")});
    return lists;
}

Request export_templates(const std::vector<std::string>& template_ids) {
    return export_of(R"("templates":)" + json_string_array(template_ids));
}

Request export_hosts(const std::vector<std::string>& host_ids) {
    return export_of(R"("hosts":)" + json_string_array(host_ids));
}

Request export_groups(const zabbix::Version& version, const std::vector<std::string>& host_group_ids,
                      const std::vector<std::string>& template_group_ids) {
    if (!version.at_least(6, 2)) return export_of(R"("groups":)" + json_string_array(host_group_ids));
    return export_of(R"("host_groups":)" + json_string_array(host_group_ids) + R"(,"template_groups":)" +
                     json_string_array(template_group_ids));
}

Request get_mediatypes(const zabbix::Version& version) {
    if (!version.at_least(5, 0)) return {"mediatype.get", R"({"output":"extend"})"};
    return {"mediatype.get", R"({"output":"extend","selectMessageTemplates":"extend"})"};
}

Request get_actions(const zabbix::Version& version, int eventsource) {
    std::string params = R"({"output":"extend","selectOperations":"extend","selectRecoveryOperations":"extend",)";
    // Before 4.0 update operations were "acknowledge operations".
    params += version.at_least(4, 0) ? R"("selectUpdateOperations":"extend",)"
                                     : R"("selectAcknowledgeOperations":"extend",)";
    params += R"("selectFilter":"extend","filter":{"eventsource":)" + std::to_string(eventsource) + "}}";
    return {"action.get", params};
}

std::vector<std::vector<std::string>> split(const std::vector<std::string>& ids, std::size_t chunks) {
    std::vector<std::vector<std::string>> out;
    if (ids.empty()) return out;
    if (chunks == 0) chunks = 1;
    if (chunks > ids.size()) chunks = ids.size();
    const std::size_t base = ids.size() / chunks;
    const std::size_t extra = ids.size() % chunks;
    auto next = ids.begin();
    for (std::size_t i = 0; i < chunks; ++i) {
        const auto size = static_cast<std::ptrdiff_t>(base + (i < extra ? 1 : 0));
        out.emplace_back(next, next + size);
        next += size;
    }
    return out;
}

}  // namespace concierge::zabbix_format
