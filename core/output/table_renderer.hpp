// Tables for people: left-aligned columns separated by three spaces, like docker and kubectl.
#pragma once

#include <concierge/sdk/output.hpp>

#include <cstddef>
#include <string>

namespace concierge::output {

/// The text of one cell: null as "-", booleans as "true"/"false", strings without terminal
/// controls (sdk::printable).
std::string cell_text(const sdk::Cell& cell);

/// Renders the table with a trailing newline. With max_width > 0 (a terminal's width), a table too
/// wide gets two-space gaps, then its widest columns are shortened, their cells cut with "…",
/// until each line fits (or every column is down to a few characters); 0 means never cut.
std::string render_table(const sdk::Table& table, std::size_t max_width = 0);

/// The width of the terminal on fd, or 0 when fd is not a terminal. $COLUMNS wins when set.
std::size_t terminal_width(int fd);

}  // namespace concierge::output
