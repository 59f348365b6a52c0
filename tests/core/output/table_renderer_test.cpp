#include "output/formatter.hpp"
#include "output/json_writer.hpp"
#include "output/table_renderer.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using concierge::output::cell_text;
using concierge::output::format_table;
using concierge::output::render_table;
using concierge::output::to_json;
using concierge::output::to_json_object;
using concierge::sdk::Cell;
using concierge::sdk::OutputFormat;
using concierge::sdk::Table;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Code points, as the renderer counts them.
std::size_t display_width(const std::string& text) {
    std::size_t width = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80) ++width;
    return width;
}

bool valid_utf8(const std::string& text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t length = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (length == 0 || i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        i += length;
    }
    return true;
}

// Code-point offset where each cell of `line` starts, given the cell texts in order.
std::vector<std::size_t> offsets_of(const std::string& line, const std::vector<std::string>& cells) {
    std::vector<std::size_t> offsets;
    std::size_t from = 0;
    for (const auto& cell : cells) {
        const auto at = line.find(cell, from);
        if (at == std::string::npos) return {};
        offsets.push_back(display_width(line.substr(0, at)));
        from = at + cell.size();
    }
    return offsets;
}

Table services() {
    return {{{"name", "NAME"}, {"status", "STATUS"}, {"count", "COUNT"}},
            {{std::string("web"), std::string("running"), std::int64_t{3}},
             {std::string("database"), Cell{}, std::int64_t{-12}}}};
}

// --- cell_text ------------------------------------------------------------------------------------

TEST(CellText, NullIsADash) { EXPECT_EQ(cell_text(Cell{}), "-"); }

TEST(CellText, BooleansAreWords) {
    EXPECT_EQ(cell_text(Cell{true}), "true");
    EXPECT_EQ(cell_text(Cell{false}), "false");
}

TEST(CellText, IntegersAndDoublesAreDecimal) {
    EXPECT_EQ(cell_text(Cell{std::int64_t{-42}}), "-42");
    EXPECT_EQ(cell_text(Cell{std::int64_t{9'007'199'254'740'993}}), "9007199254740993");
    EXPECT_EQ(cell_text(Cell{2.5}), "2.5");
    EXPECT_EQ(cell_text(Cell{0.1}), "0.1");
}

TEST(CellText, StringIsVerbatimButTabsAndNewlinesBecomeSpaces) {
    EXPECT_EQ(cell_text(Cell{std::string("a b\tc\nd é")}), "a b c d é");
}

// A label or service name from a remote service could retitle the terminal or recolour the table.
TEST(CellText, TerminalEscapesFromRemoteTextAreStripped) {
    EXPECT_EQ(cell_text(Cell{std::string("web\x1b]0;pwned\x07\x1b[31m-1\x1b[0m")}), "web-1");
}

TEST(RenderTable, NoEscapeReachesTheTerminalFromACellOrAHeader) {
    const Table table{{{"name", "NAME\x1b[2J"}}, {{std::string("\x1b]0;pwned\x07" "db\xc2\x9b" "31m")}}};
    const std::string text = render_table(table);
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_EQ(lines_of(text), (std::vector<std::string>{"NAME", "db"}));
}

// --- render_table ---------------------------------------------------------------------------------

TEST(RenderTable, ColumnsAreLeftAlignedWithAThreeSpaceGap) {
    EXPECT_EQ(render_table(services()),
              "NAME       STATUS    COUNT\n"
              "web        running   3\n"
              "database   -         -12\n");
}

TEST(RenderTable, EveryColumnStartsAtTheSameOffsetOnEveryLine) {
    const Table table{{{"a", "A"}, {"b", "LONGER HEADER"}, {"c", "C"}},
                      {{std::string("x"), std::string("y"), std::string("z")},
                       {std::string("a much longer cell"), std::string("q"), std::string("r")}}};
    const auto lines = lines_of(render_table(table));
    ASSERT_EQ(lines.size(), 3u);
    const auto header = offsets_of(lines[0], {"A", "LONGER HEADER", "C"});
    EXPECT_EQ(header, (std::vector<std::size_t>{0, 21, 37}));
    EXPECT_EQ(offsets_of(lines[1], {"x", "y", "z"}), header);
    EXPECT_EQ(offsets_of(lines[2], {"a much longer cell", "q", "r"}), header);
}

TEST(RenderTable, NoLineHasTrailingSpaces) {
    const Table table{{{"a", "A"}, {"b", "B"}},
                      {{std::string("long first cell"), std::string("")}, {std::string("x"), std::string("y")}}};
    const auto text = render_table(table);
    for (const auto& line : lines_of(text)) {
        ASSERT_FALSE(line.empty());
        EXPECT_NE(line.back(), ' ') << "'" << line << "'";
    }
    EXPECT_EQ(text.back(), '\n');
}

TEST(RenderTable, CellsOfEveryTypeArePrinted) {
    const Table table{{{"n", "N"}, {"b", "B"}, {"d", "D"}, {"s", "S"}},
                      {{std::int64_t{7}, true, 2.5, Cell{}}, {std::int64_t{-1}, false, 0.1, std::string("x")}}};
    EXPECT_EQ(render_table(table),
              "N    B       D     S\n"
              "7    true    2.5   -\n"
              "-1   false   0.1   x\n");
}

TEST(RenderTable, UnicodeCellsAlignByCodePoints) {
    const Table table{{{"a", "A"}, {"b", "B"}},
                      {{std::string("héllo"), std::string("x")}, {std::string("日本"), std::string("y")}}};
    const auto lines = lines_of(render_table(table));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(offsets_of(lines[0], {"A", "B"}), (std::vector<std::size_t>{0, 8}));
    EXPECT_EQ(offsets_of(lines[1], {"héllo", "x"}), (std::vector<std::size_t>{0, 8}));
    EXPECT_EQ(offsets_of(lines[2], {"日本", "y"}), (std::vector<std::size_t>{0, 8}));
}

TEST(RenderTable, EmptyTableIsJustTheHeader) {
    const Table table{{{"a", "NAME"}, {"b", "VERSION"}}, {}};
    EXPECT_EQ(render_table(table), "NAME   VERSION\n");
}

Table long_values(const std::string& value) {
    return {{{"key", "KEY"}, {"value", "VALUE"}},
            {{std::string("short"), value}, {std::string("other"), std::string("small")}}};
}

TEST(RenderTable, MaxWidthCutsTheWidestColumnWithAnEllipsis) {
    const std::string value(60, 'v');
    const auto lines = lines_of(render_table(long_values(value), 30));
    ASSERT_EQ(lines.size(), 3u);
    for (const auto& line : lines) EXPECT_LE(display_width(line), 30u) << line;
    EXPECT_EQ(lines[1], "short  " + std::string(22, 'v') + "…");  // two-space gaps once it is too wide
    EXPECT_EQ(display_width(lines[1]), 30u);   // uses all the room there is
    EXPECT_EQ(lines[2], "other  small");     // short cells are not cut
}

TEST(RenderTable, MaxWidthShrinksOnlyTheWidestColumn) {
    const Table table{{{"a", "A"}, {"b", "B"}},
                      {{std::string("ten chars!"), std::string(40, 'x')}}};
    const auto lines = lines_of(render_table(table, 40));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1].substr(0, 12), "ten chars!  ");
    EXPECT_NE(lines[1].find("…"), std::string::npos);
    EXPECT_LE(display_width(lines[1]), 40u);
}

TEST(RenderTable, MaxWidthNeverSplitsAMultiByteCharacter) {
    for (const std::string unit : {"é", "日", "😀"}) {
        std::string value;
        for (int i = 0; i < 50; ++i) value += unit;
        for (std::size_t width : {20u, 21u, 25u, 33u}) {
            const auto text = render_table(long_values(value), width);
            EXPECT_TRUE(valid_utf8(text)) << unit << " at " << width;
            for (const auto& line : lines_of(text)) EXPECT_LE(display_width(line), width) << line;
            const auto line = lines_of(text)[1];
            // "short" + the narrow gap, then whole characters, then the ellipsis.
            const std::string expected_cell = [&] {
                std::string cell;
                for (std::size_t i = 0; i + 1 < width - 7; ++i) cell += unit;
                return cell + "…";
            }();
            EXPECT_EQ(line, "short  " + expected_cell) << unit << " at " << width;
        }
    }
}

// The run list of `concierge history` on an 80-column terminal: every line fits, the short
// columns stay whole, and only the summary is cut.
TEST(RenderTable, HistoryListFitsEightyColumnsCuttingOnlyTheSummary) {
    Table table{{{"id", "ID"}, {"plugin", "PLUGIN"}, {"status", "STATUS"}, {"exit", "EXIT"}, {"started", "STARTED"},
                 {"took", "TOOK"}, {"summary", "SUMMARY"}},
                {}};
    const std::string summary = "backed up 325 templates, 12 host groups and 34 media types into /var/backups/zabbix";
    table.rows.push_back({std::int64_t{1042}, std::string("zabbix-backup"), std::string("interrupted"), std::int64_t{130},
                          std::string("11-24 23:05"), std::string("1m12s"), summary});
    table.rows.push_back({std::int64_t{1043}, std::string("hello"), std::string("succeeded"), std::int64_t{0},
                          std::string("09:30:12"), std::string("0.1s"), std::string("greeted world 1 time(s)")});
    const auto lines = lines_of(render_table(table, 80));
    ASSERT_EQ(lines.size(), 3u);
    for (const auto& line : lines) EXPECT_LE(display_width(line), 80u) << line;
    EXPECT_EQ(lines[1].rfind("1042  zabbix-backup  interrupted  130   11-24 23:05  1m12s  backed up 325", 0), 0u) << lines[1];
    EXPECT_EQ(display_width(lines[1]), 80u) << "the summary gets all the room left";
    EXPECT_EQ(lines[1].substr(lines[1].size() - 3), "…");
    EXPECT_EQ(lines[2].rfind("1043  hello          succeeded    0     09:30:12     0.1s   greeted world", 0), 0u) << lines[2];
}

TEST(RenderTable, MaxWidthLargerThanTheTableChangesNothing) {
    EXPECT_EQ(render_table(services(), 200), render_table(services()));
    EXPECT_EQ(render_table(services(), 26), render_table(services()));  // exactly fits
}

TEST(RenderTable, MaxWidthZeroNeverCuts) {
    const std::string value(500, 'v');
    const auto text = render_table(long_values(value), 0);
    EXPECT_NE(text.find(value), std::string::npos);
    EXPECT_EQ(text.find("…"), std::string::npos);
}

// --- to_json --------------------------------------------------------------------------------------

Poco::Dynamic::Var parse_json(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text);
}

TEST(ToJson, ArrayOfObjectsWithTypedValues) {
    const Table table{{{"name", "NAME"}, {"count", "COUNT"}, {"ratio", "RATIO"}, {"up", "UP"}, {"note", "NOTE"}},
                      {{std::string("web"), std::int64_t{3}, 2.5, true, Cell{}},
                       {std::string("db"), std::int64_t{-9'007'199'254'740'993}, -0.25, false, std::string("x")}}};
    const auto text = to_json(table);
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    // Exact in the text; Poco's parser reads big negative integers through a double, so check here.
    EXPECT_NE(text.find(R"("count":-9007199254740993)"), std::string::npos) << text;
    const auto array = parse_json(text).extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(array->size(), 2u);

    const auto first = array->getObject(0);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->size(), 5u);
    EXPECT_EQ(first->getValue<std::string>("name"), "web");
    EXPECT_EQ(first->getValue<Poco::Int64>("count"), 3);
    EXPECT_DOUBLE_EQ(first->getValue<double>("ratio"), 2.5);
    EXPECT_TRUE(first->get("up").isBoolean());
    EXPECT_TRUE(first->getValue<bool>("up"));
    EXPECT_TRUE(first->has("note"));
    EXPECT_TRUE(first->isNull("note"));

    const auto second = array->getObject(1);
    ASSERT_TRUE(second);
    EXPECT_TRUE(second->get("count").isInteger());
    EXPECT_DOUBLE_EQ(second->getValue<double>("ratio"), -0.25);
    EXPECT_FALSE(second->getValue<bool>("up"));
    EXPECT_EQ(second->getValue<std::string>("note"), "x");
}

TEST(ToJson, NumbersBooleansAndNullAreNotQuoted) {
    const Table table{{{"n", "N"}, {"b", "B"}, {"z", "Z"}, {"d", "D"}}, {{std::int64_t{42}, true, Cell{}, 2.5}}};
    const auto text = to_json(table);
    EXPECT_NE(text.find(R"("n":42)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("b":true)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("z":null)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("d":2.5)"), std::string::npos) << text;
}

TEST(ToJson, KeysFollowColumnOrderNotAlphabet) {
    const Table table{{{"zeta", "Z"}, {"alpha", "A"}, {"mid", "M"}},
                      {{std::string("1"), std::string("2"), std::string("3")}}};
    const auto text = to_json(table);
    const auto zeta = text.find("\"zeta\"");
    const auto alpha = text.find("\"alpha\"");
    const auto mid = text.find("\"mid\"");
    ASSERT_NE(zeta, std::string::npos);
    ASSERT_NE(alpha, std::string::npos);
    ASSERT_NE(mid, std::string::npos);
    EXPECT_LT(zeta, alpha) << text;
    EXPECT_LT(alpha, mid) << text;
}

TEST(ToJson, StringsAreEscapedAndRoundTrip) {
    const std::vector<std::string> values{R"(say "hi")", R"(C:\temp\new)", "line one\nline two\ttab\r",
                                          "héllo 日本 😀", std::string("nul\x01" "ctl"), "</script>"};
    Table table{{{"s", "S"}}, {}};
    for (const auto& value : values) table.rows.push_back({value});
    const auto text = to_json(table);
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    const auto array = parse_json(text).extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(array->size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(array->getObject(static_cast<unsigned>(i))->getValue<std::string>("s"), values[i]) << text;
}

// JSON needs no stripping: a control character is written as \u001b, never raw.
TEST(ToJson, ControlCharactersAreEscapedNotWrittenRaw) {
    const Table table{{{"name", "NAME"}}, {{std::string("\x1b]0;pwned\x07")}}};
    EXPECT_EQ(to_json(table), R"([{"name":"\u001B]0;pwned\u0007"}])");
}

TEST(ToJson, EmptyTableIsAnEmptyArray) {
    const Table table{{{"a", "A"}}, {}};
    EXPECT_EQ(to_json(table), "[]");
}

TEST(RenderTable, RowWithTheWrongCellCountIsALogicError) {
    const Table too_few{{{"a", "A"}, {"b", "B"}}, {{std::string("only one")}}};
    EXPECT_THROW(render_table(too_few), std::logic_error);
}

TEST(ToJson, RowWithTheWrongCellCountIsALogicError) {
    const Table too_few{{{"a", "A"}, {"b", "B"}}, {{std::string("only one")}}};
    const Table too_many{{{"a", "A"}}, {{std::string("one"), std::string("two")}}};
    EXPECT_THROW(to_json(too_few), std::logic_error);
    EXPECT_THROW(to_json(too_many), std::logic_error);
}

// --- to_json_object -------------------------------------------------------------------------------

TEST(ToJsonObject, SingleRowBecomesOneObject) {
    const Table table{{{"id", "ID"}, {"ok", "OK"}, {"who", "WHO"}}, {{std::int64_t{17}, false, std::string("a\"b")}}};
    const auto text = to_json_object(table);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.front(), '{');
    EXPECT_LT(text.find("\"id\""), text.find("\"who\""));
    const auto object = parse_json(text).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(object->getValue<Poco::Int64>("id"), 17);
    EXPECT_FALSE(object->getValue<bool>("ok"));
    EXPECT_EQ(object->getValue<std::string>("who"), "a\"b");
}

TEST(ToJsonObject, NeedsExactlyOneRow) {
    const Table none{{{"a", "A"}}, {}};
    const Table two{{{"a", "A"}}, {{std::string("1")}, {std::string("2")}}};
    EXPECT_THROW(to_json_object(none), std::logic_error);
    EXPECT_THROW(to_json_object(two), std::logic_error);
}

TEST(ToJsonObject, RowWithTheWrongCellCountIsALogicError) {
    const Table table{{{"a", "A"}, {"b", "B"}}, {{std::string("only one")}}};
    EXPECT_THROW(to_json_object(table), std::logic_error);
}

// --- format_table ---------------------------------------------------------------------------------

TEST(FormatTable, JsonIsOneLineWithANewline) {
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    const auto text = format_table(services(), OutputFormat::Json, file);
    std::fclose(file);
    EXPECT_EQ(text, to_json(services()) + "\n");
}

TEST(FormatTable, TableToANonTerminalIsNeverCut) {
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    const auto table = long_values(std::string(300, 'v'));
    const auto text = format_table(table, OutputFormat::Table, file);
    std::fclose(file);
    EXPECT_EQ(text, render_table(table, 0));
}

}  // namespace
