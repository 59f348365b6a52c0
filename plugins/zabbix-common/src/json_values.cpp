#include "json_values.hpp"

#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Parser.h>

namespace concierge::zabbix_format {

Poco::JSON::Array::Ptr parse_array(const std::string& text, const std::string& what) {
    try {
        const auto value = Poco::JSON::Parser().parse(text);
        if (value.type() == typeid(Poco::JSON::Array::Ptr)) return value.extract<Poco::JSON::Array::Ptr>();
    } catch (const Poco::Exception&) {
    }
    throw sdk::Error(sdk::ExitCode::RemoteError, "Zabbix answered " + what + " with something that is not a list");
}

std::vector<Poco::JSON::Object::Ptr> objects_of(const Poco::JSON::Array::Ptr& list) {
    std::vector<Poco::JSON::Object::Ptr> out;
    for (std::size_t i = 0; list && i < list->size(); ++i)
        if (const auto object = list->getObject(static_cast<unsigned>(i))) out.push_back(object);
    return out;
}

std::string text_of(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    return object && object->has(key) ? object->get(key).convert<std::string>() : std::string();
}

std::vector<std::string> ids_of(const std::string& result_json, const std::string& id_field) {
    std::vector<std::string> ids;
    for (const auto& object : objects_of(parse_array(result_json, "a *.get"))) ids.push_back(text_of(object, id_field));
    return ids;
}

}  // namespace concierge::zabbix_format
