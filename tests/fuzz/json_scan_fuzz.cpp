// json_scan over any bytes: a malformed value is a ScanError, never a crash; a valid one keeps
// the properties the Zabbix client and the backup reader build on (every member, element and
// condensed copy is itself one valid value; unescape is quote's inverse; decoding in place gives
// what unescape gives).
#include "fuzz_support.hpp"

#include <concierge/zabbix/json_scan.hpp>

#include <cstdint>

namespace json = concierge::zabbix::json;

namespace {

bool is_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra = 0;
        std::uint32_t point = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1, point = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2, point = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3, point = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= s.size()) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            point = point << 6 | (next & 0x3F);
        }
        const std::uint32_t least[] = {0, 0x80, 0x800, 0x10000};
        if (point < least[extra] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) return false;
        i += extra + 1;
    }
    return true;
}

/// Every property of one valid value, recursing into members and elements.
void check_value(std::string_view value, int depth) {
    FUZZ_CHECK(json::value_of(value) == value);
    const auto kind = json::kind_of(value);
    const std::string compact = json::condense(value);
    FUZZ_CHECK(json::value_of(compact) == compact);
    FUZZ_CHECK(json::kind_of(compact) == kind);
    FUZZ_CHECK(json::condense(compact) == compact);
    // Deep values are checked at the top; the recursion below is for breadth.
    if (depth > 8) return;
    switch (kind) {
    case json::Kind::Object:
        for (const auto& m : json::members(value)) {
            const std::string key = json::unescape(std::string("\"").append(m.key).append("\""));
            FUZZ_CHECK(json::key_is(m.key, key));
            FUZZ_CHECK(json::member(value, key).has_value());
            check_value(m.value, depth + 1);
        }
        break;
    case json::Kind::Array:
        for (const auto element : json::elements(value)) check_value(element, depth + 1);
        break;
    case json::Kind::String: {
        const std::string text = json::unescape(value);
        FUZZ_CHECK(json::unescape(json::quote(text)) == text);
        std::string buffer(value);
        json::unescape_in_place(buffer, std::string_view(buffer));
        FUZZ_CHECK(buffer == text);
        break;
    }
    default:
        break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = concierge::fuzz::text_of(data, size);
    if (is_utf8(text)) FUZZ_CHECK(json::unescape(json::quote(text)) == text);
    try {
        const std::size_t end = json::skip_value(text);
        FUZZ_CHECK(end <= text.size());
    } catch (const json::ScanError&) {
    }
    bool valid = true;
    std::string_view value;
    try {
        value = json::value_of(text);
    } catch (const json::ScanError&) {
        valid = false;
    }
    // check() is the grammar plus limits: without limits it agrees with value_of, and within tight
    // ones (so the fuzzer crosses each) it accepts only valid text, and members() with them agrees
    // with members() without.
    const json::Limits unlimited{SIZE_MAX, SIZE_MAX, SIZE_MAX, ""};
    bool checked = true;
    try {
        json::check(text, unlimited);
    } catch (const json::ScanError&) {
        checked = false;
    }
    FUZZ_CHECK(checked == valid);
    const json::Limits tight{4, 8, 64, "docker-"};
    try {
        json::check(text, tight);
        FUZZ_CHECK(valid);
        if (json::kind_of(value) == json::Kind::Object) {
            const auto limited = json::members(value, tight);
            const auto all = json::members(value);
            FUZZ_CHECK(limited.size() == all.size());
            for (std::size_t i = 0; i < all.size(); ++i)
                FUZZ_CHECK(limited[i].key == all[i].key && limited[i].value == all[i].value);
        }
    } catch (const json::ScanError&) {
    }
    if (!valid) return 0;
    check_value(value, 0);
    return 0;
}
