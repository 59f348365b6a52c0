#include "output/formatter.hpp"

#include "output/json_writer.hpp"
#include "output/table_renderer.hpp"

namespace concierge::output {

std::string format_table(const sdk::Table& table, sdk::OutputFormat format, std::FILE* destination) {
    if (format == sdk::OutputFormat::Json) return to_json(table) + "\n";
    return render_table(table, terminal_width(fileno(destination)));
}

}  // namespace concierge::output
