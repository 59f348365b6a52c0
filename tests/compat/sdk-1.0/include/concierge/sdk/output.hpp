// Structured output. A plugin hands the core a Table; the core prints it as an aligned table
// (the default, for people) or as JSON (`--output json`, for machines), so every plugin honours
// the user's choice the same way.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace concierge::sdk {

enum class OutputFormat { Table, Json };

/// One value: null, text, integer, real or boolean. JSON keeps the type; tables print it.
using Cell = std::variant<std::monostate, std::string, std::int64_t, double, bool>;

struct Column {
    std::string key;     ///< the JSON member name: lower_snake_case, stable across releases
    std::string header;  ///< the table heading: upper case by convention
};

/// In JSON: an array with one object per row, members named by Column::key.
struct Table {
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;  ///< each row has one cell per column
};

enum class LogLevel { Debug, Info, Warning, Error };

}  // namespace concierge::sdk
