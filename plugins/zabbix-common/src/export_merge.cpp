#include "export_merge.hpp"

#include <concierge/sdk/status.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <sstream>

namespace concierge::zabbix_format {
namespace {

namespace json = concierge::zabbix::json;

[[noreturn]] void not_an_export(const std::string& why) {
    throw sdk::Error(sdk::ExitCode::RemoteError,
                     "Zabbix answered configuration.export with something that is not an export (" + why + ")");
}

/// The members of zabbix_export of an export document, found by scanning its text.
std::vector<json::Member> export_members(std::string_view text, std::vector<json::Member>* outer = nullptr) {
    std::vector<json::Member> document;
    try {
        if (json::kind_of(text) != json::Kind::Object) not_an_export("not a JSON object");
        document = json::members(text);
        for (const auto& member : document) {
            if (!json::key_is(member.key, "zabbix_export")) continue;
            if (json::kind_of(member.value) != json::Kind::Object) break;
            if (outer) *outer = document;
            return json::members(member.value);
        }
    } catch (const json::ScanError& e) {
        not_an_export(e.what());
    }
    not_an_export("no zabbix_export object");
}

/// What makes two exported objects the same one; `text` is the element's compact JSON.
std::string identity(std::string_view element, const std::string& text) {
    if (json::kind_of(element) == json::Kind::Object) {
        const auto members = json::members(element);
        for (const char* key : {"uuid", "name"}) {
            for (const auto& member : members) {
                if (!json::key_is(member.key, key)) continue;
                if (json::kind_of(member.value) == json::Kind::String)
                    return std::string(key) + ':' + json::unescape(member.value);
                break;
            }
        }
    }
    return "json:" + text;
}

}  // namespace

std::string to_json(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    // Poco 1.11 escapes '/' as "\/" unless asked for strict JSON escaping of control characters
    // only; both are valid JSON, the latter is what Zabbix writes.
    Poco::JSON::Stringifier::condense(value, out, Poco::JSON_WRAP_STRINGS);
    return std::move(out).str();
}

ExportMerger::ExportMerger() = default;

void ExportMerger::add(std::string_view export_json) {
    std::vector<json::Member> outer;
    const auto chunk = export_members(export_json, chunks_ ? nullptr : &outer);
    const bool first = chunks_++ == 0;
    if (first) {
        // The document around zabbix_export, as the first chunk has it.
        for (const auto& member : outer) {
            Member kept;
            kept.key = std::string(member.key);
            if (!json::key_is(member.key, "zabbix_export")) kept.text = json::condense(member.value);
            outer_.push_back(std::move(kept));
        }
    }
    for (const auto& member : chunk) {
        const bool array = json::kind_of(member.value) == json::Kind::Array;
        auto merged = std::find_if(export_.begin(), export_.end(),
                                   [&](const Member& m) { return m.key == member.key; });
        if (!array) {
            // version, date: the first chunk's
            if (first && merged == export_.end()) {
                export_.emplace_back();
                export_.back().key = std::string(member.key);
                export_.back().text = json::condense(member.value);
            }
            continue;
        }
        if (merged == export_.end()) {
            export_.emplace_back();
            export_.back().key = std::string(member.key);
            merged = export_.end() - 1;
        }
        if (!merged->array) {  // a scalar in an earlier chunk: the array replaces it in place
            merged->array = true;
            merged->text.clear();
        }
        for (const auto element : json::elements(member.value)) {
            std::string text = json::condense(element);
            if (!merged->seen.insert(identity(element, text)).second) continue;
            if (merged->count++) merged->text += ',';
            merged->text += text;
        }
    }
}

std::string ExportMerger::write(std::vector<Member>& outer, std::vector<Member>& inner, bool release) {
    std::size_t size = 32;
    for (const auto& member : inner) size += member.key.size() + member.text.size() + 6;
    for (const auto& member : outer) size += member.key.size() + member.text.size() + 6;
    std::string out;
    out.reserve(size);
    auto write_object = [&out, release](std::vector<Member>& members, std::vector<Member>* nested, auto& self) -> void {
        out += '{';
        bool comma = false;
        for (auto& member : members) {
            if (comma) out += ',';
            comma = true;
            out += '"';
            out += member.key;
            out += "\":";
            if (nested && !member.array && json::key_is(member.key, "zabbix_export")) {
                self(*nested, nullptr, self);
            } else if (member.array) {
                out += '[';
                out += member.text;
                out += ']';
            } else {
                out += member.text;
            }
            if (release) std::string().swap(member.text);  // a merged array is freed once written
        }
        out += '}';
    };
    write_object(outer, &inner, write_object);
    return out;
}

std::string ExportMerger::str() const& {
    if (!chunks_) return {};
    // Not released, so not written to.
    return write(const_cast<std::vector<Member>&>(outer_), const_cast<std::vector<Member>&>(export_), false);
}

std::string ExportMerger::str() && {
    if (!chunks_) return {};
    return write(outer_, export_, true);
}

std::size_t ExportMerger::count(const std::string& key) const {
    for (const auto& member : export_)
        if (member.key == key) return member.array ? member.count : 0;
    return 0;
}

std::size_t count_in_export(std::string_view export_json, const std::string& key) {
    for (const auto& member : export_members(export_json)) {
        if (!json::key_is(member.key, key)) continue;
        if (json::kind_of(member.value) != json::Kind::Array) return 0;
        try {
            return json::elements(member.value).size();
        } catch (const json::ScanError& e) {
            not_an_export(e.what());
        }
    }
    return 0;
}

std::size_t count_in_array(std::string_view array_json) {
    try {
        const std::string_view value = json::value_of(array_json);
        if (value == "null") return 0;
        if (json::kind_of(value) != json::Kind::Array)
            throw sdk::Error(sdk::ExitCode::RemoteError, "Zabbix answered a *.get with something that is not a list");
        return json::elements(value).size();
    } catch (const json::ScanError& e) {
        throw sdk::Error(sdk::ExitCode::RemoteError, std::string("Zabbix answered with JSON that does not parse: ") + e.what());
    }
}

}  // namespace concierge::zabbix_format
