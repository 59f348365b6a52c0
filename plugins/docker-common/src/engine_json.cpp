#include "engine_json.hpp"

#include <concierge/sdk/printable.hpp>
#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Stringifier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace concierge::engine_json {

std::string text(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value, out);
    return out.str();
}

std::string filters_query(const Poco::JSON::Object::Ptr& filters) {
    std::string encoded;
    Poco::URI::encode(text(filters), "&=+?#/:,{}[]\"", encoded);
    return "filters=" + encoded;
}

std::string path_segment(const std::string& value, const std::string& what) {
    const auto allowed = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '.' || c == '-'; };
    if (!value.empty() && std::isalnum(static_cast<unsigned char>(value.front())) &&
        std::all_of(value.begin(), value.end(), allowed))
        return value;
    std::string message = "the Docker engine gave ";
    message.append(what).append(" '").append(sdk::printable(value)).append("', which is not an id or name it makes; "
                                                                               "refusing to put it into a request");
    throw sdk::Error(sdk::ExitCode::RemoteError, message);
}

}  // namespace concierge::engine_json
