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

namespace concierge::zabbix_backup {

class ExportMerger {
public:
    ExportMerger();
    /// Adds one chunk's export text. Throws sdk::Error(RemoteError) if it is not an export.
    void add(std::string_view export_json);
    /// The merged document, compact JSON. Call once all chunks are in.
    std::string str() const;
    /// How many objects the merged "zabbix_export" holds under key (0 when absent).
    std::size_t count(const std::string& key) const;
    std::size_t chunks() const noexcept { return chunks_; }

private:
    Poco::JSON::Object::Ptr root_;
    Poco::JSON::Object::Ptr export_;
    std::map<std::string, std::set<std::string>> seen_;  // array key -> identities already merged
    std::size_t chunks_ = 0;
};

/// Parses an export document and counts the objects under zabbix_export[key]; 0 when absent.
/// Throws sdk::Error(RemoteError) when the text is not an export.
std::size_t count_in_export(std::string_view export_json, const std::string& key);

/// Counts the elements of a JSON array text ("null" counts 0, as the earlier tool wrote it).
std::size_t count_in_array(std::string_view array_json);

/// Compact JSON text of a Poco value, with '/' left alone as Zabbix writes it.
std::string to_json(const Poco::Dynamic::Var& value);

}  // namespace concierge::zabbix_backup
