#include "export_diff.hpp"

#include "backup_dir.hpp"
#include "version_bridge.hpp"

#include <concierge/sdk/status.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <algorithm>
#include <numeric>
#include <set>

namespace concierge::zabbix_import {
namespace json = concierge::zabbix::json;

namespace {

[[noreturn]] void not_an_export(const std::string& why) {
    throw sdk::Error(sdk::ExitCode::InvalidInput, "not a Zabbix export: " + why);
}

bool is_shared_key(std::string_view key) { return json::key_is(key, "triggers") || json::key_is(key, "graphs"); }

/// Compact text with every "graph_items" list in a fixed order, wherever it is (top-level graphs,
/// a template's graphs, a discovery rule's graph prototypes): two items with the same sortorder
/// come back from an export in either order. Only values holding graph items are taken apart.
std::string normalised(std::string_view text) {
    const auto kind = json::kind_of(text);
    if ((kind != json::Kind::Object && kind != json::Kind::Array) || text.find("\"graph_items\"") == std::string_view::npos)
        return json::condense(text);
    std::string out;
    if (kind == json::Kind::Array) {
        out = "[";
        for (const auto element : json::elements(text)) out += (out.size() > 1 ? "," : "") + normalised(element);
        return out + "]";
    }
    out = "{";
    for (const auto& member : json::members(text)) {
        if (out.size() > 1) out += ',';
        out += json::condense('"' + std::string(member.key) + '"') + ':';
        if (!json::key_is(member.key, "graph_items") || json::kind_of(member.value) != json::Kind::Array) {
            out += normalised(member.value);
            continue;
        }
        std::vector<std::string> items;
        for (const auto element : json::elements(member.value)) items.push_back(json::condense(element));
        std::sort(items.begin(), items.end());
        out += '[';
        for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
        out += ']';
    }
    return out + "}";
}

/// Union-find over unit indices.
class Components {
public:
    explicit Components(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
    std::size_t find(std::size_t x) {
        while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
        return x;
    }
    void join(std::size_t a, std::size_t b) { parent_[find(a)] = find(b); }

private:
    std::vector<std::size_t> parent_;
};

void append_array(std::string& out, const std::string& key, const std::vector<std::string_view>& elements) {
    if (elements.empty()) return;
    out += ",\"" + key + "\":[";
    for (std::size_t i = 0; i < elements.size(); ++i) {
        if (i) out += ',';
        out += elements[i];
    }
    out += ']';
}

/// The "uuid" of each value map of a unit's text.
std::vector<std::string> unit_valuemap_uuids(std::string_view unit) {
    std::vector<std::string> out;
    const auto maps = json::member(unit, "valuemaps");
    if (!maps || json::kind_of(*maps) != json::Kind::Array) return out;
    for (const auto map : json::elements(*maps))
        if (const auto uuid = json::member(map, "uuid"); uuid && json::kind_of(*uuid) == json::Kind::String)
            out.push_back(json::unescape(*uuid));
    return out;
}

}  // namespace

std::vector<std::string> named_hosts(std::string_view text) {
    std::vector<std::string> names;
    // Item queries in expressions: func(/host/key...).
    for (auto pos = text.find("(/"); pos != std::string_view::npos; pos = text.find("(/", pos + 2)) {
        const auto end = text.find_first_of("/\"", pos + 2);
        if (end != std::string_view::npos && text[end] == '/' && end > pos + 2)
            names.emplace_back(text.substr(pos + 2, end - pos - 2));
    }
    // Graph items: "item":{"host":"name","key":...} (compact text).
    static constexpr std::string_view host = "\"host\":\"";
    for (auto pos = text.find(host); pos != std::string_view::npos; pos = text.find(host, pos + host.size())) {
        const auto start = pos + host.size();
        auto end = start;
        while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
        if (end < text.size()) names.push_back(json::unescape(text.substr(start - 1, end - start + 2)));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::vector<std::string> linked_templates(std::string_view text) {
    std::vector<std::string> names;
    // A template's own links, host prototypes' templates, and discovery overrides' optemplate.
    for (const std::string_view key : {std::string_view("\"templates\":["), std::string_view("\"optemplate\":[")}) {
        for (auto pos = text.find(key); pos != std::string_view::npos; pos = text.find(key, pos + key.size())) {
            const auto start = pos + key.size() - 1;
            const auto end = json::skip_value(text, start);
            for (const auto element : json::elements(text.substr(start, end - start)))
                if (json::kind_of(element) == json::Kind::Object)
                    if (const auto name = json::member(element, "name"); name && json::kind_of(*name) == json::Kind::String)
                        names.push_back(json::unescape(*name));
        }
    }
    return names;
}

ExportIndex::ExportIndex(std::string key, std::string name_member) : key_(std::move(key)), name_member_(std::move(name_member)) {}

void ExportIndex::add(std::string_view document) {
    derived_.reset();
    const bool first = units_.empty() && shared_.empty() && scalars_.empty() && passed_.empty();
    std::optional<std::string_view> inner;
    try {
        if (json::kind_of(document) != json::Kind::Object) not_an_export("not a JSON object");
        inner = json::member(document, "zabbix_export");
        if (!inner || json::kind_of(*inner) != json::Kind::Object) not_an_export("no zabbix_export object");
        for (const auto& member : json::members(*inner)) {
            const std::string key = json::unescape('"' + std::string(member.key) + '"');
            const auto kind = json::kind_of(member.value);
            if (key == key_ && kind == json::Kind::Array) {
                for (const auto element : json::elements(member.value)) {
                    const auto name = json::kind_of(element) == json::Kind::Object ? json::member(element, name_member_)
                                                                                   : std::nullopt;
                    if (!name || json::kind_of(*name) != json::Kind::String)
                        not_an_export("an element of \"" + key_ + "\" has no \"" + name_member_ + "\"");
                    units_.push_back({json::unescape(*name), element});
                }
            } else if (is_shared_key(member.key) && kind == json::Kind::Array) {
                for (const auto element : json::elements(member.value)) shared_.push_back({key, element});
            } else if (!first) {
                continue;  // groups and scalars come from the first document
            } else if (kind == json::Kind::Array) {
                passed_.emplace_back(key, member.value);
            } else {
                if (key == "version" && kind == json::Kind::String) version_ = json::unescape(member.value);
                scalars_.emplace_back(key, json::condense(member.value));
            }
        }
    } catch (const json::ScanError& e) {
        not_an_export(e.what());
    }
}

std::string ExportIndex::uuid(std::size_t unit) const {
    const auto uuid = json::member(units_.at(unit).text, "uuid");
    return uuid && json::kind_of(*uuid) == json::Kind::String ? json::unescape(*uuid) : std::string();
}

bool ExportIndex::has_vendor(std::size_t unit) const { return json::member(units_.at(unit).text, "vendor").has_value(); }

std::map<std::string, std::string> ExportIndex::valuemap_owners() const {
    std::map<std::string, std::string> out;
    for (const auto& unit : units_)
        for (auto& uuid : unit_valuemap_uuids(unit.text)) out.emplace(std::move(uuid), unit.name);
    return out;
}

std::size_t ExportIndex::rekey_valuemaps(const std::map<std::string, std::string>& owners) {
    std::size_t count = 0;
    for (auto& unit : units_) {
        std::string text;
        for (const auto& uuid : unit_valuemap_uuids(unit.text)) {
            const auto owner = owners.find(uuid);
            if (owner == owners.end() || owner->second == unit.name) continue;
            if (text.empty()) text = unit.text;
            // A UUID is 32 hex digits: as a quoted string it names nothing else in the unit.
            const std::string from = '"' + uuid + '"', to = '"' + derived_uuid(unit.name, uuid) + '"';
            for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
                text.replace(pos, from.size(), to);
            ++count;
        }
        if (text.empty()) continue;
        unit.text = rewritten_.emplace_back(std::move(text));
    }
    if (count) derived_.reset();
    return count;
}

void ExportIndex::index() const {
    if (derived_) return;
    auto d = std::make_unique<Derived>();
    for (std::size_t i = 0; i < units_.size(); ++i) d->by_name.emplace(units_[i].name, i);
    d->unit_shared.resize(units_.size());
    d->unit_links.resize(units_.size());
    d->shared_units.resize(shared_.size());

    std::vector<std::string> shared_texts;
    shared_texts.reserve(shared_.size());
    for (std::size_t s = 0; s < shared_.size(); ++s) {
        shared_texts.push_back(normalised(shared_[s].text));
        for (const auto& name : named_hosts(shared_texts.back())) {
            const auto found = d->by_name.find(name);
            if (found == d->by_name.end()) continue;
            d->shared_units[s].push_back(found->second);
            d->unit_shared[found->second].push_back(s);
        }
    }
    d->signatures.reserve(units_.size());
    for (std::size_t u = 0; u < units_.size(); ++u) {
        std::string text = normalised(units_[u].text);
        // Links to other templates, and other units named by trigger expressions or dependencies.
        auto names = named_hosts(text);
        const auto links = linked_templates(text);
        names.insert(names.end(), links.begin(), links.end());
        for (const auto& name : names) {
            const auto found = d->by_name.find(name);
            if (found != d->by_name.end() && found->second != u) d->unit_links[u].push_back(found->second);
        }
        std::vector<const std::string*> mine;
        for (const auto s : d->unit_shared[u]) mine.push_back(&shared_texts[s]);
        std::sort(mine.begin(), mine.end(), [](const auto* a, const auto* b) { return *a < *b; });
        for (const auto* shared : mine) text += '\n' + *shared;
        d->signatures.push_back(zabbix_format::sha256_hex(text));
    }
    derived_ = std::move(d);
}

std::vector<std::size_t> ExportIndex::differing(const ExportIndex& destination) const {
    index();
    destination.index();
    std::vector<std::size_t> out;
    for (std::size_t u = 0; u < units_.size(); ++u) {
        const auto found = destination.derived_->by_name.find(units_[u].name);
        if (found == destination.derived_->by_name.end() ||
            destination.derived_->signatures[found->second] != derived_->signatures[u])
            out.push_back(u);
    }
    return out;
}

std::vector<std::string> ExportIndex::documents(const std::vector<std::size_t>& units, std::size_t chunks,
                                                bool without_groups) const {
    if (units.empty()) return {};
    index();
    const auto& d = *derived_;
    std::vector<bool> selected(units_.size(), false);
    for (const auto u : units) selected.at(u) = true;
    Components components(units_.size());
    for (const auto u : units) {
        for (const auto other : d.unit_links[u])
            if (selected[other]) components.join(u, other);
        for (const auto s : d.unit_shared[u])
            for (const auto other : d.shared_units[s])
                if (selected[other]) components.join(u, other);
    }
    // Whole components into the least filled document, largest first.
    std::map<std::size_t, std::pair<std::size_t, std::vector<std::size_t>>> by_root;  // root -> bytes, units
    for (const auto u : units) {
        auto& component = by_root[components.find(u)];
        component.first += units_[u].text.size();
        component.second.push_back(u);
    }
    std::vector<std::pair<std::size_t, std::vector<std::size_t>>> sorted;
    for (auto& [root, component] : by_root) sorted.push_back(std::move(component));
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const std::size_t count = std::max<std::size_t>(1, std::min(chunks, sorted.size()));
    std::vector<std::pair<std::size_t, std::vector<std::size_t>>> bins(count);
    for (auto& component : sorted) {
        auto& bin = *std::min_element(bins.begin(), bins.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        bin.first += component.first;
        bin.second.insert(bin.second.end(), component.second.begin(), component.second.end());
    }

    std::vector<std::string> out;
    for (std::size_t b = 0; b < bins.size(); ++b) {
        auto& members = bins[b].second;
        if (members.empty()) continue;
        std::sort(members.begin(), members.end());
        std::set<std::size_t> shared;
        for (const auto u : members) shared.insert(d.unit_shared[u].begin(), d.unit_shared[u].end());
        // A top-level trigger or graph naming no unit cannot be attributed: the first document takes it.
        if (out.empty())
            for (std::size_t s = 0; s < shared_.size(); ++s)
                if (d.shared_units[s].empty()) shared.insert(s);

        std::string doc = "{\"zabbix_export\":{";
        bool first = true;
        for (const auto& [key, value] : scalars_) {
            doc += (first ? "\"" : ",\"") + key + "\":" + value;
            first = false;
        }
        if (first) doc += "\"version\":\"" + version_ + "\"";
        for (const auto& [key, value] : passed_) {
            if (without_groups && key == "groups") continue;
            doc += ",\"" + key + "\":";
            doc += value;
        }
        std::vector<std::string_view> texts;
        for (const auto u : members) texts.push_back(units_[u].text);
        append_array(doc, key_, texts);
        for (const char* key : {"triggers", "graphs"}) {
            texts.clear();
            for (const auto s : shared)
                if (shared_[s].key == key) texts.push_back(shared_[s].text);
            append_array(doc, key, texts);
        }
        out.push_back(doc + "}}");
    }
    return out;
}

}  // namespace concierge::zabbix_import
