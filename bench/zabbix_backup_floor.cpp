// The floor of `concierge zabbix-backup`: the same Zabbix API calls, in the same order, with the
// template export in the same concurrent chunks, made in-process through the same client
// (Concierge::zabbix) and request builders (plugins/zabbix-common), and nothing else: no core, no
// plugin loading, no history, no files; an answer is parsed only where the next request needs its
// ids. Prints the server's version, the answers' bytes and the template export's bytes.
//   zabbix-backup-floor URL [CONCURRENCY]     (ZBX_USER, ZBX_PASS; concurrency 4, the plugin's default)
#include "export_plan.hpp"
#include "json_values.hpp"
#include "object_kinds.hpp"

#include <concierge/zabbix/client.hpp>

#include <cstdlib>
#include <exception>
#include <future>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using namespace concierge;
using namespace concierge::zabbix_format;

int main(int argc, char** argv) try {
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: zabbix-backup-floor URL [CONCURRENCY]   (ZBX_USER, ZBX_PASS)\n";
        return 2;
    }
    zabbix::Settings settings;
    settings.url = zabbix::normalise_api_url(argv[1]);
    settings.user = std::getenv("ZBX_USER") ? std::getenv("ZBX_USER") : "Admin";
    settings.password = std::getenv("ZBX_PASS") ? std::getenv("ZBX_PASS") : "zabbix";
    const std::size_t concurrency = argc == 3 ? std::stoul(argv[2]) : 4;

    zabbix::Client client(settings);
    std::size_t bytes = 0;
    const auto call = [&client, &bytes](const Request& request) {
        std::string answer = client.call(request.method, request.params);
        bytes += answer.size();
        return answer;
    };
    const auto& version = client.version();
    client.login();
    std::map<std::string, std::vector<std::string>> ids;
    for (const auto& list : id_map_lists(version)) ids[list.key] = ids_of(call(list.request), list.id_field);

    std::vector<std::future<std::size_t>> chunks;
    for (const auto& chunk : split(ids["templates"], concurrency))
        chunks.push_back(std::async(std::launch::async, [&client, request = export_templates(chunk)] {
            return client.call(request.method, request.params).size();
        }));
    std::size_t template_bytes = 0;
    for (auto& chunk : chunks) template_bytes += chunk.get();
    bytes += template_bytes;

    call(export_groups(version, ids["hostgroups"], ids["templategroups"]));
    call(export_hosts(ids["hosts"]));
    call(get_mediatypes(version));
    ReferencedIds referenced;
    for (const auto& kind : object_kinds(version)) collect_referenced_ids(kind, call(kind.get), referenced);
    call(export_images(ids["images"]));
    call(export_maps(ids["maps"]));
    for (const auto& list : name_lists(referenced))
        if (list.request) call(*list.request);
    client.logout();
    std::cout << "Zabbix " << version.text << ": " << bytes << " bytes, templates " << template_bytes << " bytes\n";
    return 0;
} catch (const std::exception& error) {
    std::cerr << "zabbix-backup-floor: " << error.what() << "\n";
    return 1;
}
