// Small JSON helpers for Engine API requests, shared by the Compose and Swarm code.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <string>

namespace concierge::engine_json {

/// Compact JSON text of a value.
std::string text(const Poco::Dynamic::Var& value);

/// The query parameter `filters=` of a list request, URL-encoded.
std::string filters_query(const Poco::JSON::Object::Ptr& filters);

}  // namespace concierge::engine_json
