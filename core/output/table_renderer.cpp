#include "output/table_renderer.hpp"

#include <concierge/sdk/printable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <stdexcept>
#include <sys/ioctl.h>
#include <unistd.h>
#include <vector>

namespace concierge::output {

namespace {

constexpr std::size_t kGap = 3;
constexpr std::size_t kNarrowGap = 2;
constexpr std::size_t kMinColumn = 6;

// Widths count code points, so UTF-8 text lines up; bytes of a code point are never split.
std::size_t display_width(const std::string& text) {
    return std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

std::string cut(const std::string& text, std::size_t width) {
    if (display_width(text) <= width) return text;
    std::size_t points = 0;
    std::size_t byte = 0;
    for (; byte < text.size(); ++byte) {
        if ((static_cast<unsigned char>(text[byte]) & 0xC0) != 0x80 && ++points == width) break;
    }
    return text.substr(0, byte) + "…";
}

}  // namespace

std::string cell_text(const sdk::Cell& cell) {
    return std::visit(
        [](const auto& value) -> std::string {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::monostate>) return "-";
            // Cells hold remote text (labels, service names): no escape sequence reaches the terminal.
            else if constexpr (std::is_same_v<T, std::string>) return sdk::printable(value);
            else if constexpr (std::is_same_v<T, bool>) return value ? "true" : "false";
            else return fmt::format("{}", value);
        },
        cell);
}

std::string render_table(const sdk::Table& table, std::size_t max_width) {
    const std::size_t columns = table.columns.size();
    std::vector<std::vector<std::string>> lines;
    lines.reserve(table.rows.size() + 1);
    std::vector<std::string> header;
    for (const auto& column : table.columns) header.push_back(sdk::printable(column.header));
    lines.push_back(std::move(header));
    for (const auto& row : table.rows) {
        std::vector<std::string> texts;
        if (row.size() != columns) throw std::logic_error("table row has the wrong number of cells");
        for (const auto& cell : row) texts.push_back(cell_text(cell));
        lines.push_back(std::move(texts));
    }

    std::vector<std::size_t> widths(columns, 0);
    for (const auto& line : lines)
        for (std::size_t i = 0; i < columns; ++i) widths[i] = std::max(widths[i], display_width(line[i]));

    std::size_t gap = kGap;
    if (max_width > 0 && columns > 0) {
        const auto total = [&] { return std::accumulate(widths.begin(), widths.end(), gap * (columns - 1)); };
        // Tighter gaps before any text is cut.
        if (total() > max_width) gap = kNarrowGap;
        while (total() > max_width) {
            auto widest = std::max_element(widths.begin(), widths.end());
            if (*widest <= kMinColumn) break;
            --*widest;
        }
    }

    std::string out;
    for (const auto& line : lines) {
        std::string text;
        for (std::size_t i = 0; i < columns; ++i) {
            const std::string shown = cut(line[i], widths[i]);
            text += shown;
            if (i + 1 < columns) text.append(widths[i] - display_width(shown) + gap, ' ');
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text;
        out += '\n';
    }
    return out;
}

std::size_t terminal_width(int fd) {
    if (!isatty(fd)) return 0;
    if (const char* columns = std::getenv("COLUMNS")) {
        const long value = std::strtol(columns, nullptr, 10);
        if (value > 0) return static_cast<std::size_t>(value);
    }
    winsize size{};
    if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

}  // namespace concierge::output
