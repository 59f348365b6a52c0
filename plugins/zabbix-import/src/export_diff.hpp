// What of a configuration.export differs from the destination, found without importing it, and
// the import documents of just that. An export is split into units (templates, hosts, images,
// maps or media types) and the
// top-level triggers and graphs that span them (in 5.4+ exports every graph and every trigger on
// several items sits at the top level, naming its templates in its expression or graph items).
// A unit's signature is the sha256 of its compact text plus that of every top-level trigger and
// graph naming it (graph items sorted wherever they are, graph prototypes too: two with the same
// sortorder come back in either order), so
// an unchanged template of the destination is recognised from one export of the destination,
// at a fraction of what an import or importcompare of it costs. Works on the text with
// json_scan: a 14.5 MB export is never turned into a tree.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace concierge::zabbix_import {

class ExportIndex {
public:
    /// `key` is the export's list of units ("templates" or "hosts"), `name_member` the member
    /// that names one ("template" or "host").
    ExportIndex(std::string key, std::string name_member);

    /// Adds an export document: the backup's file, or one chunk of the destination's export.
    /// The text must outlive the index. Throws sdk::Error(InvalidInput) when it is not an export.
    void add(std::string_view document);

    std::size_t size() const noexcept { return units_.size(); }
    const std::string& name(std::size_t unit) const { return units_.at(unit).name; }
    /// The export's "version" ("6.0"), from the first document.
    const std::string& version() const noexcept { return version_; }

    /// The unit's "uuid" ("" without one: images, media types, exports before 5.2).
    std::string uuid(std::size_t unit) const;
    /// Whether the unit carries a "vendor" (7.0+ built-in templates do; 6.0 exports never do).
    bool has_vendor(std::size_t unit) const;
    /// The unit holding each value map, by the value map's UUID.
    std::map<std::string, std::string> valuemap_owners() const;
    /// Gives each unit's value maps whose UUID `owners` gives to another unit one derived from the
    /// unit's name and that UUID (a newer server's built-in templates reuse an older one's value
    /// map UUIDs, and an import of a value map whose UUID another template holds is refused).
    /// Returns how many.
    std::size_t rekey_valuemaps(const std::map<std::string, std::string>& owners);

    /// The units whose signature differs from the same-named unit of `destination`, or that it lacks.
    std::vector<std::size_t> differing(const ExportIndex& destination) const;

    /// Import documents holding `units` with the groups and every top-level trigger and graph that
    /// names one of them, split into at most `chunks` documents of near-equal size. Units linked to
    /// each other (a template link, a discovery override's template, a trigger or graph naming both,
    /// a trigger dependency) stay in one document, so documents can be imported concurrently in any
    /// order. With `without_groups`, the export's pre-6.2 "groups" list is left out: a newer
    /// importer would make host or template groups of it by its own rules (renaming the
    /// destination's groups that share a UUID), and the host groups step has created them all.
    std::vector<std::string> documents(const std::vector<std::size_t>& units, std::size_t chunks,
                                       bool without_groups = false) const;

private:
    struct Unit {
        std::string name;
        std::string_view text;
    };
    struct Shared {
        std::string key;  // "triggers" or "graphs"
        std::string_view text;
    };
    /// Attributes top-level triggers and graphs to the units they name, finds links between units
    /// and computes signatures, once, after the last add().
    void index() const;

    std::string key_, name_member_;
    std::string version_;
    std::vector<std::pair<std::string, std::string>> scalars_;       // version, date: compact JSON
    std::vector<std::pair<std::string, std::string_view>> passed_;  // groups and other lists, whole
    std::vector<Unit> units_;
    std::deque<std::string> rewritten_;  // units' texts with rekeyed value maps
    std::vector<Shared> shared_;

    struct Derived {
        std::map<std::string, std::size_t> by_name;
        std::vector<std::vector<std::size_t>> unit_shared;   // per unit: shared elements naming it
        std::vector<std::vector<std::size_t>> shared_units;  // per shared element: units it names
        std::vector<std::vector<std::size_t>> unit_links;    // per unit: other units it names
        std::vector<std::string> signatures;                 // per unit: sha256
    };
    mutable std::unique_ptr<Derived> derived_;
};

/// The names an expression or graph text refers to: "/NAME/" after "(" (item queries in 5.4+
/// expressions) and "host":"NAME" (graph items). Exposed for the unit tests.
std::vector<std::string> named_hosts(std::string_view text);

/// The templates a unit's compact text links by name: its own "templates", its host prototypes'
/// "templates" and its discovery overrides' "optemplate". Exposed for the unit tests.
std::vector<std::string> linked_templates(std::string_view text);

}  // namespace concierge::zabbix_import
