#include "engine_json.hpp"

#include <concierge/sdk/printable.hpp>
#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Stringifier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
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

namespace {

// The offset of the first byte that does not belong to a well-formed UTF-8 sequence.
std::optional<std::size_t> invalid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = [&](std::size_t at) { return at < text.size() ? static_cast<unsigned char>(text[at]) : 0u; };
        const unsigned lead = byte(i);
        const std::size_t length = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                                                 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
        if (length == 0) return i;
        // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
        const unsigned low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
        const unsigned high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
        for (std::size_t k = 1; k < length; ++k)
            if (byte(i + k) < (k == 1 ? low : 0x80) || byte(i + k) > (k == 1 ? high : 0xBF)) return i;
        i += length;
    }
    return std::nullopt;
}

}  // namespace

std::string parse_failure(const std::string& json, const Poco::Exception& error) {
    if (const auto at = invalid_utf8(json)) return "invalid UTF-8 at byte " + std::to_string(*at);
    return error.message().empty() ? error.displayText() : error.message();
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
