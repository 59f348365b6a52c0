// A validating JSON scanner that reports byte ranges instead of building a tree.
#include <concierge/zabbix/json_scan.hpp>

#include <cstdint>
#include <cstring>

namespace concierge::zabbix::json {
namespace {

[[noreturn]] void fail(std::size_t pos, const std::string& why) {
    throw ScanError("malformed JSON at byte " + std::to_string(pos) + ": " + why);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::size_t skip_space(std::string_view text, std::size_t pos) {
    while (pos < text.size() && is_space(text[pos])) ++pos;
    return pos;
}

char at(std::string_view text, std::size_t pos) {
    if (pos >= text.size()) fail(pos, "unexpected end of text");
    return text[pos];
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// The four hex digits at text[pos..pos+4).
std::uint32_t hex4(std::string_view text, std::size_t pos) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const int digit = hex_digit(at(text, pos + i));
        if (digit < 0) fail(pos + i, "bad \\u escape");
        value = value * 16 + static_cast<std::uint32_t>(digit);
    }
    return value;
}

/// The code point of the \u escape whose 'u' is at text[pos] (a surrogate pair spans two
/// escapes); `end` is set one past it.
std::uint32_t code_point(std::string_view text, std::size_t pos, std::size_t& end) {
    std::uint32_t cp = hex4(text, pos + 1);
    end = pos + 5;
    if (cp >= 0xDC00 && cp <= 0xDFFF) fail(pos, "lone low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (at(text, end) != '\\' || at(text, end + 1) != 'u') fail(end, "high surrogate without its low half");
        const std::uint32_t low = hex4(text, end + 2);
        if (low < 0xDC00 || low > 0xDFFF) fail(end, "high surrogate without its low half");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        end += 6;
    }
    return cp;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// One past the string whose opening quote is at text[pos].
std::size_t skip_string(std::string_view text, std::size_t pos) {
    if (at(text, pos) != '"') fail(pos, "expected a string");
    ++pos;
    for (;;) {
        const char c = at(text, pos);
        if (c == '"') return pos + 1;
        if (static_cast<unsigned char>(c) < 0x20) fail(pos, "control character in a string");
        if (c != '\\') {
            ++pos;
            continue;
        }
        const char escape = at(text, pos + 1);
        switch (escape) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            pos += 2;
            break;
        case 'u': {
            std::size_t end = 0;
            code_point(text, pos + 1, end);
            pos = end;
            break;
        }
        default:
            fail(pos, "bad escape in a string");
        }
    }
}

std::size_t skip_digits(std::string_view text, std::size_t pos) {
    if (!is_digit(at(text, pos))) fail(pos, "expected a digit");
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    return pos;
}

std::size_t skip_number(std::string_view text, std::size_t pos) {
    if (at(text, pos) == '-') ++pos;
    if (at(text, pos) == '0')
        ++pos;
    else
        pos = skip_digits(text, pos);
    if (pos < text.size() && text[pos] == '.') pos = skip_digits(text, pos + 1);
    if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
        ++pos;
        if (at(text, pos) == '+' || text[pos] == '-') ++pos;
        pos = skip_digits(text, pos);
    }
    return pos;
}

std::size_t skip_literal(std::string_view text, std::size_t pos, std::string_view word) {
    if (text.substr(pos, word.size()) != word) fail(pos, "unexpected text");
    return pos + word.size();
}

std::string size_text(std::size_t bytes) {
    constexpr std::size_t mib = std::size_t{1} << 20;
    return bytes && bytes % mib == 0 ? std::to_string(bytes / mib) + " MiB" : std::to_string(bytes) + " bytes";
}

/// " (raise --max-json-depth)": how to lift the limit, as the caller's options name it.
std::string raise(const Limits& limits, std::string_view option) {
    std::string text = " (raise --";
    text += limits.option_prefix;
    text += option;
    text += ')';
    return text;
}

/// skip_string, and with `limits` a raw text longer than their max_string fails where it crosses it.
std::size_t skip_string(std::string_view text, std::size_t pos, const Limits* limits) {
    const std::size_t end = skip_string(text, pos);
    if (limits && end - pos - 2 > limits->max_string)
        fail(pos + 1 + limits->max_string,
             "a string longer than " + size_text(limits->max_string) + raise(*limits, "max-json-string-mib"));
    return end;
}

/// One past the "key": of an object member starting at or after pos, with the value's start.
std::size_t skip_key(std::string_view text, std::size_t pos, const Limits* limits) {
    pos = skip_string(text, skip_space(text, pos), limits);
    pos = skip_space(text, pos);
    if (at(text, pos) != ':') fail(pos, "expected ':' after an object key");
    return pos + 1;
}

std::size_t skip_scalar(std::string_view text, std::size_t pos, const Limits* limits) {
    switch (at(text, pos)) {
    case '"': return skip_string(text, pos, limits);
    case 't': return skip_literal(text, pos, "true");
    case 'f': return skip_literal(text, pos, "false");
    case 'n': return skip_literal(text, pos, "null");
    default:
        if (text[pos] == '-' || is_digit(text[pos])) return skip_number(text, pos);
        fail(pos, "expected a value");
    }
}

/// [[noreturn]] when one more item than `limits` allow is at `pos`.
void count_item(std::size_t& items, std::size_t pos, const Limits& limits) {
    if (++items > limits.max_items)
        fail(pos, "more than " + std::to_string(limits.max_items) + " items in one array or object" +
                      raise(limits, "max-json-items"));
}

/// skip_value, within `limits` when given. Iterative, so any depth costs one byte of `open` per
/// level, never a stack frame.
std::size_t scan_value(std::string_view text, std::size_t pos, const Limits* limits) {
    std::string open;                // the closers of the containers we are in, innermost last
    std::vector<std::size_t> items;  // with limits: the items seen so far in each of them
    for (;;) {
        // A value starts here.
        pos = skip_space(text, pos);
        const char c = at(text, pos);
        if (c == '{' || c == '[') {
            if (limits && open.size() >= limits->max_depth)
                fail(pos, "nesting deeper than " + std::to_string(limits->max_depth) + raise(*limits, "max-json-depth"));
            const char closer = c == '{' ? '}' : ']';
            pos = skip_space(text, pos + 1);
            if (at(text, pos) == closer) {
                ++pos;
            } else {
                open += closer;
                if (limits) count_item(items.emplace_back(0), pos, *limits);
                if (closer == '}') pos = skip_key(text, pos, limits);
                continue;
            }
        } else {
            pos = skip_scalar(text, pos, limits);
        }
        // After a value: close containers until one continues with ',', or the outermost ends.
        for (;;) {
            if (open.empty()) return pos;
            pos = skip_space(text, pos);
            const char next = at(text, pos);
            if (next == open.back()) {
                open.pop_back();
                if (limits) items.pop_back();
                ++pos;
                continue;
            }
            if (next != ',') fail(pos, open.back() == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
            pos = skip_space(text, pos + 1);
            if (limits) count_item(items.back(), pos, *limits);
            if (open.back() == '}') pos = skip_key(text, pos, limits);
            break;
        }
    }
}

std::vector<Member> scan_members(std::string_view text, const Limits* limits) {
    std::size_t pos = skip_space(text, 0);
    if (at(text, pos) != '{') fail(pos, "expected an object");
    std::vector<Member> found;
    std::size_t items = 0;
    pos = skip_space(text, pos + 1);
    if (at(text, pos) == '}') {
        ++pos;
    } else {
        for (;;) {
            pos = skip_space(text, pos);
            const std::size_t key_start = pos;
            if (limits) count_item(items, key_start, *limits);
            const std::size_t key_end = skip_string(text, pos, limits) - 1;  // the closing quote
            pos = skip_key(text, pos, limits);
            const std::size_t value_start = skip_space(text, pos);
            pos = scan_value(text, value_start, limits);
            found.push_back({text.substr(key_start + 1, key_end - key_start - 1),
                             text.substr(value_start, pos - value_start)});
            pos = skip_space(text, pos);
            const char next = at(text, pos++);
            if (next == '}') break;
            if (next != ',') fail(pos - 1, "expected ',' or '}'");
        }
    }
    if (skip_space(text, pos) != text.size()) fail(pos, "text after the object");
    return found;
}

std::string_view trimmed_single(std::string_view text, std::size_t& start) {
    start = skip_space(text, 0);
    const std::size_t end = skip_value(text, start);
    if (skip_space(text, end) != text.size()) fail(end, "text after the value");
    return text.substr(start, end - start);
}

}  // namespace

Kind kind_of(std::string_view value) {
    const std::size_t pos = skip_space(value, 0);
    switch (at(value, pos)) {
    case '{': return Kind::Object;
    case '[': return Kind::Array;
    case '"': return Kind::String;
    case 't': return Kind::True;
    case 'f': return Kind::False;
    case 'n': return Kind::Null;
    default:
        if (value[pos] == '-' || is_digit(value[pos])) return Kind::Number;
        fail(pos, "expected a value");
    }
}

std::size_t skip_value(std::string_view text, std::size_t pos) { return scan_value(text, pos, nullptr); }

void check(std::string_view text, const Limits& limits) {
    const std::size_t end = skip_space(text, scan_value(text, skip_space(text, 0), &limits));
    if (end != text.size()) fail(end, "text after the value");
}

std::string_view value_of(std::string_view text) {
    std::size_t start = 0;
    return trimmed_single(text, start);
}

std::vector<Member> members(std::string_view text) { return scan_members(text, nullptr); }

std::vector<Member> members(std::string_view text, const Limits& limits) { return scan_members(text, &limits); }

std::vector<std::string_view> elements(std::string_view text) {
    std::size_t pos = skip_space(text, 0);
    if (at(text, pos) != '[') fail(pos, "expected an array");
    std::vector<std::string_view> found;
    pos = skip_space(text, pos + 1);
    if (at(text, pos) == ']') {
        ++pos;
    } else {
        for (;;) {
            const std::size_t start = skip_space(text, pos);
            pos = skip_value(text, start);
            found.push_back(text.substr(start, pos - start));
            pos = skip_space(text, pos);
            const char next = at(text, pos++);
            if (next == ']') break;
            if (next != ',') fail(pos - 1, "expected ',' or ']'");
        }
    }
    if (skip_space(text, pos) != text.size()) fail(pos, "text after the array");
    return found;
}

bool key_is(std::string_view raw_key, std::string_view key) {
    if (raw_key.find('\\') == std::string_view::npos) return raw_key == key;
    std::string token;
    token.reserve(raw_key.size() + 2);
    token += '"';
    token += raw_key;
    token += '"';
    return unescape(token) == key;
}

std::optional<std::string_view> member(std::string_view text, std::string_view key) {
    for (const auto& m : members(text))
        if (key_is(m.key, key)) return m.value;
    return std::nullopt;
}

namespace {

/// Decodes the string token `buffer[begin, end)` (checked already) to the front of `buffer`,
/// from offset `to`; returns one past the last byte written. Writes never overtake reads.
std::size_t decode_to(std::string& buffer, std::size_t begin, std::size_t end, std::size_t to) {
    const std::size_t last = end - 1;  // the closing quote
    std::size_t pos = begin + 1;
    auto put = [&buffer, &to](std::size_t from, std::size_t length) {
        if (from != to && length) std::memmove(buffer.data() + to, buffer.data() + from, length);
        to += length;
    };
    while (pos < last) {
        std::size_t backslash = buffer.find('\\', pos);
        if (backslash == std::string::npos || backslash >= last) backslash = last;
        put(pos, backslash - pos);
        if (backslash == last) break;
        const char escape = buffer[backslash + 1];
        pos = backslash + 2;
        char decoded = escape;  // '"', '\\', '/'
        switch (escape) {
        case 'b': decoded = '\b'; break;
        case 'f': decoded = '\f'; break;
        case 'n': decoded = '\n'; break;
        case 'r': decoded = '\r'; break;
        case 't': decoded = '\t'; break;
        case 'u': {
            std::string utf8;
            append_utf8(utf8, code_point(buffer, backslash + 1, pos));
            // An escape is 6 or 12 bytes, its UTF-8 at most 4: it fits where the escape was.
            std::memcpy(buffer.data() + to, utf8.data(), utf8.size());
            to += utf8.size();
            continue;
        }
        default: break;
        }
        buffer[to++] = decoded;
    }
    return to;
}

}  // namespace

std::string unescape(std::string_view token) {
    std::size_t start = 0;
    token = trimmed_single(token, start);
    if (token.front() != '"') fail(start, "expected a string");
    std::string buffer(token);
    buffer.resize(decode_to(buffer, 0, buffer.size(), 0));
    return buffer;
}

std::string quote(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += "\\u00";
                out += hex[(c >> 4) & 0xf];
                out += hex[c & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
    return out;
}

void unescape_in_place(std::string& buffer, std::string_view token) {
    if (token.data() < buffer.data() || token.data() + token.size() > buffer.data() + buffer.size())
        throw std::invalid_argument("json::unescape_in_place: the token is not inside the buffer");
    const std::size_t begin = static_cast<std::size_t>(token.data() - buffer.data());
    std::size_t start = 0;
    token = trimmed_single(token, start);
    if (token.front() != '"') fail(start, "expected a string");
    const std::size_t first = begin + start;
    buffer.resize(decode_to(buffer, first, first + token.size(), 0));
}

std::string condense(std::string_view value) {
    std::size_t start = 0;
    value = trimmed_single(value, start);
    std::string out;
    out.reserve(value.size());
    std::size_t pos = 0;
    while (pos < value.size()) {
        const char c = value[pos];
        if (is_space(c)) {
            ++pos;
            continue;
        }
        if (c != '"') {
            out += c;
            ++pos;
            continue;
        }
        // A string, checked already: copy it, decoding the escapes POCO would not write.
        const std::size_t end = skip_string(value, pos);
        out += '"';
        ++pos;
        while (pos < end - 1) {
            // Searched within the string only: past it, each of a million strings would scan the rest.
            const std::size_t backslash = value.substr(0, end - 1).find('\\', pos);
            if (backslash == std::string_view::npos || backslash >= end - 1) {
                out.append(value.substr(pos, end - 1 - pos));
                pos = end - 1;
                break;
            }
            out.append(value.substr(pos, backslash - pos));
            const char escape = value[backslash + 1];
            if (escape == '/') {
                out += '/';
                pos = backslash + 2;
            } else if (escape == 'u') {
                std::size_t after = 0;
                const std::uint32_t cp = code_point(value, backslash + 1, after);
                if (cp == '"')
                    out += "\\\"";
                else if (cp == '\\')
                    out += "\\\\";
                else if (cp < 0x20)
                    out.append(value.substr(backslash, after - backslash));
                else
                    append_utf8(out, cp);
                pos = after;
            } else {
                out.append(value.substr(backslash, 2));
                pos = backslash + 2;
            }
        }
        out += '"';
        pos = end;
    }
    return out;
}

}  // namespace concierge::zabbix::json
