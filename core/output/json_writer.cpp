#include "output/json_writer.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>
#include <stdexcept>

namespace concierge::output {

namespace {

Poco::Dynamic::Var to_var(const sdk::Cell& cell) {
    return std::visit(
        [](const auto& value) -> Poco::Dynamic::Var {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::monostate>) return {};
            else if constexpr (std::is_same_v<T, std::int64_t>) return Poco::Int64(value);
            else return value;
        },
        cell);
}

Poco::JSON::Object::Ptr row_object(const sdk::Table& table, const std::vector<sdk::Cell>& row) {
    if (row.size() != table.columns.size()) throw std::logic_error("table row has the wrong number of cells");
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (std::size_t i = 0; i < row.size(); ++i) object->set(table.columns[i].key, to_var(row[i]));
    return object;
}

template <class T>
std::string stringify(const T& value) {
    std::ostringstream out;
    value.stringify(out);
    return out.str();
}

}  // namespace

std::string to_json(const sdk::Table& table) {
    Poco::JSON::Array array;
    for (const auto& row : table.rows) array.add(row_object(table, row));
    return stringify(array);
}

std::string to_json_object(const sdk::Table& single_row) {
    if (single_row.rows.size() != 1) throw std::logic_error("a record needs exactly one row");
    return stringify(*row_object(single_row, single_row.rows.front()));
}

}  // namespace concierge::output
