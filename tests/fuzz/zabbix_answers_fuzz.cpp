// The Zabbix answers the backup and the restore turn into objects: *.get lists (ids, the trigger,
// item and graph ids that actions and dashboards name, their names) and configuration.export
// documents merged chunk by chunk and counted. The first byte picks the reader; any body is read
// or refused with exit 9 (the remote service answered with an error), never a crash.
#include "fuzz_support.hpp"

#include "export_merge.hpp"
#include "json_values.hpp"
#include "object_kinds.hpp"

#include <concierge/sdk/status.hpp>

using concierge::sdk::Error;
using concierge::sdk::ExitCode;
namespace format = concierge::zabbix_format;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string body(concierge::fuzz::text_of(data + 1, size - 1));
    try {
        switch (data[0] % 4) {
        case 0:
            format::ids_of(body, "hostid");
            format::count_in_array(body);
            break;
        case 1: {
            format::ReferencedIds referenced;
            for (const auto& kind : format::every_object_kind()) format::collect_referenced_ids(kind, body, referenced);
            format::name_lists(referenced);
            break;
        }
        case 2:
            for (const char* kind : {"triggers", "items", "graphs"}) format::composite_name_list(kind, body);
            break;
        default: {
            // Two chunks, the second the first again: a merge keeps each object once.
            format::ExportMerger merger;
            merger.add(body);
            const std::string once = merger.str();
            merger.add(body);
            FUZZ_CHECK(merger.str() == once);
            format::count_in_export(once, "templates");
            break;
        }
        }
    } catch (const Error& e) {
        FUZZ_CHECK(e.code() == ExitCode::RemoteError);
    }
    return 0;
}
