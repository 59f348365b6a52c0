// Tables and records as JSON, the machine format behind --output json.
#pragma once

#include <concierge/sdk/output.hpp>

#include <string>

namespace concierge::output {

/// A compact JSON array with one object per row, members in column order. One line, no newline.
std::string to_json(const sdk::Table& table);

/// One object built from a single-row table: for `show`-style output of one record.
std::string to_json_object(const sdk::Table& single_row);

}  // namespace concierge::output
