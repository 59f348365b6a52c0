#include "export_merge.hpp"

#include <concierge/sdk/status.hpp>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cctype>
#include <sstream>

namespace concierge::zabbix_backup {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

[[noreturn]] void not_an_export(const std::string& why) {
    throw sdk::Error(sdk::ExitCode::RemoteError,
                     "Zabbix answered configuration.export with something that is not an export (" + why + ")");
}

Poco::Dynamic::Var parse(std::string_view text) {
    // Keeps object keys in the order Zabbix wrote them.
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    return parser.parse(std::string(text));
}

Object::Ptr export_of(const Poco::Dynamic::Var& document) {
    if (document.type() != typeid(Object::Ptr)) not_an_export("not a JSON object");
    auto inner = document.extract<Object::Ptr>()->getObject("zabbix_export");
    if (!inner) not_an_export("no zabbix_export object");
    return inner;
}

/// What makes two exported objects the same one.
std::string identity(const Poco::Dynamic::Var& element) {
    if (element.type() == typeid(Object::Ptr)) {
        const auto object = element.extract<Object::Ptr>();
        for (const char* key : {"uuid", "name"}) {
            if (object->has(key)) {
                const auto value = object->get(key);
                if (value.isString()) return std::string(key) + ':' + value.extract<std::string>();
            }
        }
    }
    return "json:" + to_json(element);
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
    Poco::Dynamic::Var document;
    try {
        document = parse(export_json);
    } catch (const Poco::Exception& e) {
        not_an_export(e.displayText());
    }
    auto chunk = export_of(document);
    ++chunks_;
    if (!root_) {
        root_ = document.extract<Object::Ptr>();
        export_ = chunk;
        for (const auto& key : export_->getNames()) {
            auto array = export_->getArray(key);
            if (!array) continue;
            auto& seen = seen_[key];
            // Even within one export, keep each object once.
            auto unique = Poco::JSON::Array::Ptr(new Array);
            for (const auto& element : *array)
                if (seen.insert(identity(element)).second) unique->add(element);
            export_->set(key, unique);
        }
        return;
    }
    for (const auto& key : chunk->getNames()) {
        auto array = chunk->getArray(key);
        if (!array) continue;  // version, date: the first chunk's
        auto merged = export_->getArray(key);
        if (!merged) {
            merged = new Array;
            export_->set(key, merged);
        }
        auto& seen = seen_[key];
        for (const auto& element : *array)
            if (seen.insert(identity(element)).second) merged->add(element);
    }
}

std::string ExportMerger::str() const {
    if (!root_) return {};
    return to_json(root_);
}

std::size_t ExportMerger::count(const std::string& key) const {
    if (!export_) return 0;
    auto array = export_->getArray(key);
    return array ? array->size() : 0;
}

std::size_t count_in_export(std::string_view export_json, const std::string& key) {
    Poco::Dynamic::Var document;
    try {
        document = parse(export_json);
    } catch (const Poco::Exception& e) {
        not_an_export(e.displayText());
    }
    auto array = export_of(document)->getArray(key);
    return array ? array->size() : 0;
}

std::size_t count_in_array(std::string_view array_json) {
    // Poco 1.11's parser cannot parse a bare null.
    while (!array_json.empty() && std::isspace(static_cast<unsigned char>(array_json.back()))) array_json.remove_suffix(1);
    while (!array_json.empty() && std::isspace(static_cast<unsigned char>(array_json.front()))) array_json.remove_prefix(1);
    if (array_json == "null") return 0;
    Poco::Dynamic::Var document;
    try {
        document = parse(array_json);
    } catch (const Poco::Exception& e) {
        throw sdk::Error(sdk::ExitCode::RemoteError, "Zabbix answered with JSON that does not parse: " + e.displayText());
    }
    if (document.isEmpty()) return 0;
    if (document.type() != typeid(Array::Ptr))
        throw sdk::Error(sdk::ExitCode::RemoteError, "Zabbix answered a *.get with something that is not a list");
    return document.extract<Array::Ptr>()->size();
}

}  // namespace concierge::zabbix_backup
