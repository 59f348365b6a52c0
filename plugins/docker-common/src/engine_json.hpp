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

/// `value`, an id or name the engine gave, checked before it becomes a segment of a request's
/// path: only [A-Za-z0-9][A-Za-z0-9_.-]*, as the engine's own ids and names are, so that no '/',
/// "..", '?', '%' or control byte can send a request to another endpoint. Anything else is the
/// engine's error (RemoteError) naming `what` and the value, printable.
std::string path_segment(const std::string& value, const std::string& what);

}  // namespace concierge::engine_json
