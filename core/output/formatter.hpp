// One place that turns a table into what the user asked for with --output.
#pragma once

#include <concierge/sdk/output.hpp>

#include <cstdio>
#include <string>

namespace concierge::output {

/// JSON (one line) or an aligned table fitted to `destination` when it is a terminal.
std::string format_table(const sdk::Table& table, sdk::OutputFormat format, std::FILE* destination);

}  // namespace concierge::output
