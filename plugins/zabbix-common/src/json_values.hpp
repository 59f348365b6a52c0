// Small readers of *.get answers parsed with Poco: what both Zabbix plugins do with every list
// of objects they read, written once.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

namespace concierge::zabbix_format {

/// A *.get answer as a list. Throws sdk::Error(RemoteError) naming `what` when it is not one.
Poco::JSON::Array::Ptr parse_array(const std::string& text, const std::string& what);

/// The objects of a list (other elements skipped); none for a null list.
std::vector<Poco::JSON::Object::Ptr> objects_of(const Poco::JSON::Array::Ptr& list);

/// A member as text ("" when absent): Zabbix sends numbers as strings, but not always.
std::string text_of(const Poco::JSON::Object::Ptr& object, const std::string& key);

/// The ids in a *.get result of objects with only an id and a name, in the API's order.
std::vector<std::string> ids_of(const std::string& result_json, const std::string& id_field);

}  // namespace concierge::zabbix_format
