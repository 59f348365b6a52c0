// A small scanner over JSON text that finds values without building a tree: the byte ranges of
// an object's members and of an array's elements, with every value checked against the JSON
// grammar on the way. Used where the text is large (a configuration.export of many megabytes)
// and only its top-level structure matters; quote() writes a string token. No POCO types.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#ifndef CONCIERGE_ZABBIX_API
#define CONCIERGE_ZABBIX_API __attribute__((visibility("default")))
#endif

namespace concierge::zabbix::json {

/// The text is not valid JSON (or not the kind of value asked for). what() says where.
class CONCIERGE_ZABBIX_API ScanError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Kind { Object, Array, String, Number, True, False, Null };

/// The kind of the value that starts `value` (leading whitespace allowed). Throws ScanError when
/// no value starts there. Does not check the rest of the value.
CONCIERGE_ZABBIX_API Kind kind_of(std::string_view value);

/// The offset one past the value that starts at or after `pos` (whitespace skipped), after
/// checking the whole value. Throws ScanError on malformed or truncated text.
CONCIERGE_ZABBIX_API std::size_t skip_value(std::string_view text, std::size_t pos = 0);

/// Bounds on what a checked text may hold, so that a hostile answer costs bounded time and memory
/// and ends with a message naming the limit and the option that raises it.
struct Limits {
    std::size_t max_depth = 512;      ///< open arrays and objects, one inside the other
    std::size_t max_items = 1000000;  ///< members or elements in one object or array
    std::size_t max_string = std::size_t{16} << 20;  ///< bytes of one string's raw text, keys included
    /// Before the option names in messages, "--<prefix>max-json-depth": "docker-" for a Docker client.
    std::string option_prefix;
};

/// Checks that `text` holds exactly one valid value (whitespace around allowed) within `limits`.
/// Throws ScanError "malformed JSON at byte N: WHY"; for a limit, N is where it was crossed.
CONCIERGE_ZABBIX_API void check(std::string_view text, const Limits& limits);

/// `text` without surrounding whitespace, after checking it holds exactly one valid value.
CONCIERGE_ZABBIX_API std::string_view value_of(std::string_view text);

struct Member {
    std::string_view key;    ///< the key's raw text between its quotes (escapes not decoded)
    std::string_view value;  ///< the value's text, no surrounding whitespace
};

/// The members of the object `text` (exactly one object, surrounding whitespace allowed), in order.
CONCIERGE_ZABBIX_API std::vector<Member> members(std::string_view text);

/// members(), with each member's value checked as check() checks a value of its own, and the
/// object's keys and member count within `limits` too.
CONCIERGE_ZABBIX_API std::vector<Member> members(std::string_view text, const Limits& limits);

/// The elements of the array `text` (exactly one array, surrounding whitespace allowed), in order.
CONCIERGE_ZABBIX_API std::vector<std::string_view> elements(std::string_view text);

/// The value of the first member named `key` of the object `text`; nullopt when absent.
CONCIERGE_ZABBIX_API std::optional<std::string_view> member(std::string_view text, std::string_view key);

/// Whether a Member::key names `key` (decodes escapes when the raw key has any).
CONCIERGE_ZABBIX_API bool key_is(std::string_view raw_key, std::string_view key);

/// The UTF-8 text of a JSON string token (with its quotes): escapes decoded, \uXXXX and
/// surrogate pairs included. Throws ScanError when it is not one valid string.
CONCIERGE_ZABBIX_API std::string unescape(std::string_view string_token);

/// The JSON string token (with its quotes) of `text`: the quote, the backslash and the control
/// characters escaped, everything else, UTF-8 included, copied as it is. unescape's inverse.
CONCIERGE_ZABBIX_API std::string quote(std::string_view text);

/// Replaces `buffer` by unescape() of `string_token`, a view into `buffer`, decoding over the
/// buffer itself: no second copy of a large string result.
CONCIERGE_ZABBIX_API void unescape_in_place(std::string& buffer, std::string_view string_token);

/// A compact copy of the value: whitespace outside strings removed, and inside strings \/ and
/// \uXXXX of printable characters decoded to UTF-8 (the quote, backslash and control characters
/// stay escaped). The same value, written as POCO's condensed JSON writes it.
CONCIERGE_ZABBIX_API std::string condense(std::string_view value);

}  // namespace concierge::zabbix::json
