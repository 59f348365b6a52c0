// Merges configuration.export documents of disjoint template chunks into one document with the
// content of a single export: every array under "zabbix_export" (templates, groups or
// template_groups, and the top-level triggers and graphs that span templates) is concatenated,
// and an object two chunks both report (a shared group, a trigger spanning templates of two
// chunks) is kept once, recognised by its uuid, else its name, else its whole text. Scalars
// ("version", "date") come from the first chunk. Key order is kept as Zabbix wrote it.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace concierge::zabbix_format {

class ExportMerger {
public:
    ExportMerger();
    /// Adds one chunk's export text. Throws sdk::Error(RemoteError) if it is not an export.
    /// Only the merged objects' text is kept, not the chunk's.
    void add(std::string_view export_json);
    /// The merged document, compact JSON. Call once all chunks are in.
    std::string str() const&;
    /// The same, releasing each merged array once written (the merger is spent after).
    std::string str() &&;
    /// How many objects the merged "zabbix_export" holds under key (0 when absent).
    std::size_t count(const std::string& key) const;
    std::size_t chunks() const noexcept { return chunks_; }

private:
    /// One member of "zabbix_export" (or of the document around it), in the order first seen.
    struct Member {
        std::string key;         // raw key text, as between its quotes
        std::string text;        // a scalar's compact JSON, or the array's elements joined by ','
        bool array = false;
        std::size_t count = 0;   // elements in text when array
        std::set<std::string> seen;  // identities already merged when array
    };
    static std::string write(std::vector<Member>& outer, std::vector<Member>& inner, bool release);

    std::vector<Member> outer_;    // the document's members; "zabbix_export" has an empty text
    std::vector<Member> export_;   // the members of "zabbix_export"
    std::size_t chunks_ = 0;
};

/// Scans an export document and counts the objects under zabbix_export[key]; 0 when absent.
/// Throws sdk::Error(RemoteError) when the text is not an export.
std::size_t count_in_export(std::string_view export_json, const std::string& key);

/// Counts the elements of a JSON array text ("null" counts 0, as the earlier tool wrote it).
std::size_t count_in_array(std::string_view array_json);

/// Compact JSON text of a Poco value, with '/' left alone as Zabbix writes it.
std::string to_json(const Poco::Dynamic::Var& value);

}  // namespace concierge::zabbix_format
