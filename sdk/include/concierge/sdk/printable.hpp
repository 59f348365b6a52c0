// Text from a remote service (an engine's error, a Zabbix error's data, a label, a service name)
// made safe to print on a terminal: an escape sequence in it could retitle the window, recolour
// or rewrite what the user reads, or worse on some terminals. Header-only, so the core and every
// client library strip with the same rules.
#pragma once

#include <string>
#include <string_view>

namespace concierge::sdk {

enum class Lines {
    Join,  ///< newlines, carriage returns and tabs become spaces: one line (errors, table cells)
    Keep,  ///< newlines and tabs stay (text meant to span lines)
};

/// `text` without terminal control: ESC sequences (CSI, OSC, DCS and the other string
/// sequences, two-byte escapes) and C1 sequences (U+0080..U+009F in UTF-8, CSI and OSC with
/// their parameters) are dropped whole, other C0 controls and DEL dropped. Everything else,
/// UTF-8 included, is kept byte for byte.
inline std::string printable(std::string_view text, Lines lines = Lines::Join) {
    std::string out;
    out.reserve(text.size());
    const std::size_t size = text.size();
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    // A control string (OSC, DCS, SOS, PM, APC) runs to BEL or ST (ESC \ or U+009C).
    const auto skip_string = [&](std::size_t i) {
        for (; i < size; ++i) {
            if (byte(i) == 0x07) return i + 1;
            if (byte(i) == 0x1B && i + 1 < size && text[i + 1] == '\\') return i + 2;
            if (byte(i) == 0xC2 && i + 1 < size && byte(i + 1) == 0x9C) return i + 2;
        }
        return i;
    };
    // A CSI's parameter and intermediate bytes (0x20..0x3F) run to its final byte (0x40..0x7E).
    const auto skip_csi = [&](std::size_t i) {
        while (i < size && byte(i) >= 0x20 && byte(i) <= 0x3F) ++i;
        return i < size && byte(i) >= 0x40 && byte(i) <= 0x7E ? i + 1 : i;
    };
    for (std::size_t i = 0; i < size;) {
        const unsigned char c = byte(i);
        if (c == 0x1B) {
            if (i + 1 >= size) break;
            const unsigned char kind = byte(i + 1);
            if (kind == '[') i = skip_csi(i + 2);
            else if (kind == ']' || kind == 'P' || kind == 'X' || kind == '^' || kind == '_') i = skip_string(i + 2);
            else i += 2;  // a two-byte escape (ESC c resets the terminal)
        } else if (c == 0xC2 && i + 1 < size && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9F) {
            const unsigned char c1 = byte(i + 1);
            if (c1 == 0x9B) i = skip_csi(i + 2);
            else if (c1 == 0x9D || c1 == 0x90 || c1 == 0x98 || c1 == 0x9E || c1 == 0x9F) i = skip_string(i + 2);
            else i += 2;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            out += lines == Lines::Join || c == '\r' ? ' ' : static_cast<char>(c);
            ++i;
        } else {
            if (c >= 0x20 && c != 0x7F) out += static_cast<char>(c);
            ++i;
        }
    }
    return out;
}

}  // namespace concierge::sdk
