// The JSON scanner the client and the zabbix-backup plugin use on large answers.
#include <concierge/zabbix/json_scan.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace json = concierge::zabbix::json;

TEST(JsonScan, MembersOfNestedObjectKeepRawValues) {
    const std::string text = R"( { "jsonrpc" : "2.0", "result" : {"a":[1,{"b":[]}],"c":{}} ,
        "id":7 } )";
    const auto found = json::members(text);
    ASSERT_EQ(found.size(), 3u);
    EXPECT_EQ(found[0].key, "jsonrpc");
    EXPECT_EQ(found[0].value, "\"2.0\"");
    EXPECT_EQ(found[1].key, "result");
    EXPECT_EQ(found[1].value, R"({"a":[1,{"b":[]}],"c":{}})");
    EXPECT_EQ(found[2].value, "7");
    EXPECT_EQ(json::members(R"({"k":"v","":""})")[0].key, "k");
    EXPECT_EQ(json::members(R"({"k":"v","":""})")[1].key, "");
    EXPECT_EQ(json::member(text, "id").value(), "7");
    EXPECT_FALSE(json::member(text, "error").has_value());
}

TEST(JsonScan, StringsMayHoldBracesQuotesAndEscapes) {
    const std::string text = R"({"x":"}{][\"\\","y":["a,b]","\"]"],"z":"\\"})";
    const auto found = json::members(text);
    ASSERT_EQ(found.size(), 3u);
    EXPECT_EQ(found[0].value, R"("}{][\"\\")");
    EXPECT_EQ(json::unescape(found[0].value), "}{][\"\\");
    EXPECT_EQ(json::elements(found[1].value).size(), 2u);
    EXPECT_EQ(json::unescape(found[2].value), "\\");
}

TEST(JsonScan, ElementsOfArrays) {
    EXPECT_TRUE(json::elements("[]").empty());
    EXPECT_TRUE(json::elements(" [ \n ] ").empty());
    const auto found = json::elements(R"([ 1 , -2.5e+3, true,false,null, "s", {"k":[1,2]}, [[]] ])");
    ASSERT_EQ(found.size(), 8u);
    EXPECT_EQ(found[1], "-2.5e+3");
    EXPECT_EQ(found[6], R"({"k":[1,2]})");
    EXPECT_EQ(found[7], "[[]]");
    EXPECT_EQ(json::kind_of(found[0]), json::Kind::Number);
    EXPECT_EQ(json::kind_of(found[5]), json::Kind::String);
    EXPECT_EQ(json::kind_of(found[6]), json::Kind::Object);
    EXPECT_EQ(json::kind_of(found[7]), json::Kind::Array);
    EXPECT_EQ(json::kind_of(found[4]), json::Kind::Null);
}

TEST(JsonScan, UnicodeEscapesAndSurrogatePairs) {
    EXPECT_EQ(json::unescape(R"("\u00e9\u20AC\ud83d\ude00 \/ \n\t\b\f\r")"),
              "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 / \n\t\b\f\r");
    EXPECT_EQ(json::unescape("\"caf\xC3\xA9\""), "caf\xC3\xA9");
    EXPECT_EQ(json::unescape(R"("")"), "");
    EXPECT_TRUE(json::key_is(R"(r\u0065sult)", "result"));
    EXPECT_FALSE(json::key_is("results", "result"));
}

TEST(JsonScan, CondenseWritesWhatPocoWrites) {
    EXPECT_EQ(json::condense(" { \"a\" : [ 1 , \"x y\" ] ,\n\"b\":\"http:\\/\\/h\\/p \\u00e9\\u0022\\u005c\\u0001\\n\"} "),
              R"({"a":[1,"x y"],"b":"http://h/p )" "\xC3\xA9" R"(\"\\\u0001\n"})");
    EXPECT_EQ(json::condense(R"([{"hostid":"10084"}])"), R"([{"hostid":"10084"}])");
}

TEST(JsonScan, MalformedOrTruncatedTextIsAnError) {
    for (const char* text : {"", " ", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,}", "[1,]", "[1 2]", "{1:2}",
                             "\"open", "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "tru", "nul",
                             "01", "-", "1.", "1e", "{\"a\":1}}", "[1] x", "\"a\tb\"", "{\"a\" 1}", "[}", "{]"}) {
        EXPECT_THROW(json::value_of(text), json::ScanError) << text;
    }
    EXPECT_THROW(json::members("[1]"), json::ScanError);
    EXPECT_THROW(json::members("{\"a\":1} {}"), json::ScanError);
    EXPECT_THROW(json::elements("{}"), json::ScanError);
    EXPECT_THROW(json::elements("[1,[2,]]"), json::ScanError);
    EXPECT_THROW(json::unescape("1"), json::ScanError);
    EXPECT_THROW(json::kind_of("  "), json::ScanError);
    EXPECT_EQ(json::skip_value("[1] x"), 3u);
    EXPECT_EQ(json::value_of(" 0 "), "0");
}

TEST(JsonScan, DeepNestingNeedsNoRecursion) {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_EQ(json::skip_value(deep), deep.size());
}

// A result of many short strings once took minutes: each string's search for a backslash ran
// to the end of the text.
TEST(JsonScan, CondenseIsLinearInTheNumberOfStrings) {
    std::string many = "[";
    for (int i = 0; i < 300000; ++i) many += "\"a\",";
    many += "\"\\n\"]";
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(json::condense(many), many);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(JsonScan, UnescapeInPlaceDecodesOverItsBuffer) {
    std::string buffer = R"({"jsonrpc":"2.0","result":"{\"a\":\"x\\\"y \u00e9\ud83d\ude00\"}","id":1})";
    const auto result = json::member(buffer, "result").value();
    const std::string expected = json::unescape(result);
    json::unescape_in_place(buffer, result);
    EXPECT_EQ(buffer, expected);
    EXPECT_EQ(buffer, "{\"a\":\"x\\\"y \xC3\xA9\xF0\x9F\x98\x80\"}");
    std::string small = R"(["ab\n"])";
    json::unescape_in_place(small, json::elements(small)[0]);
    EXPECT_EQ(small, "ab\n");
    std::string other = "\"x\"";
    EXPECT_THROW(json::unescape_in_place(other, std::string_view("\"x\"")), std::invalid_argument);
}

TEST(JsonScan, QuoteEscapesWhatJsonRequiresAndUnescapeReadsItBack) {
    EXPECT_EQ(json::quote(""), "\"\"");
    EXPECT_EQ(json::quote("a\"b\\c/d"), R"("a\"b\\c/d")");
    EXPECT_EQ(json::quote("\n\r\t\b\f\x01\x1f\x7f"), "\"\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\"");
    EXPECT_EQ(json::quote("caf\xC3\xA9 \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"") << "UTF-8 as it is";
    std::string every_byte;
    for (int c = 1; c < 256; ++c) every_byte += static_cast<char>(c);
    every_byte += '\0';
    const std::string token = json::quote(every_byte);
    EXPECT_EQ(json::skip_value(token), token.size()) << "a valid JSON string";
    EXPECT_EQ(json::unescape(token), every_byte);
}

namespace {

/// The message of the ScanError `check` throws for `text`, or "" when it passes.
std::string check_error(std::string_view text, const json::Limits& limits = {}) {
    try {
        json::check(text, limits);
    } catch (const json::ScanError& e) {
        return e.what();
    }
    return "";
}

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST(JsonLimits, DefaultsAreTheDocumentedOnes) {
    const json::Limits limits;
    EXPECT_EQ(limits.max_depth, 512u);
    EXPECT_EQ(limits.max_items, 1000000u);
    EXPECT_EQ(limits.max_string, std::size_t{16} << 20);
}

TEST(JsonLimits, Depth512PassesAnd513FailsAtTheBracketThatCrossesIt) {
    EXPECT_EQ(check_error(nested(512)), "");
    EXPECT_EQ(check_error(" " + nested(513)),
              "malformed JSON at byte 513: nesting deeper than 512 (raise --max-json-depth)");
    // Objects count as arrays do; an empty container one level too deep is too deep as well.
    EXPECT_EQ(check_error(R"({"a":{"b":[{}]}})", {.max_depth = 3, .max_items = 10, .max_string = 10, .option_prefix = {}}),
              "malformed JSON at byte 11: nesting deeper than 3 (raise --max-json-depth)");
    EXPECT_EQ(check_error(R"({"a":{"b":[1]}})", {.max_depth = 3, .max_items = 10, .max_string = 10, .option_prefix = {}}), "");
}

TEST(JsonLimits, TwoMillionLevelsFailFastWithoutRecursion) {
    const std::string deep = nested(2000000);
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(check_error(deep), "malformed JSON at byte 512: nesting deeper than 512 (raise --max-json-depth)");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(100)) << "stops at the limit";
    // Without limits the scanner walks all of it: a recursive one would overflow its stack here.
    EXPECT_EQ(json::skip_value(deep), deep.size());
    EXPECT_EQ(check_error(deep, {.max_depth = 3000000, .max_items = 1, .max_string = 1, .option_prefix = {}}), "");
}

TEST(JsonLimits, ItemsAreCountedPerArrayOrObject) {
    const json::Limits three{.max_depth = 10, .max_items = 3, .max_string = 100, .option_prefix = "docker-"};
    EXPECT_EQ(check_error("[1,2,3]", three), "");
    EXPECT_EQ(check_error("[[1,2,3],[4,5,6],{\"a\":1,\"b\":2,\"c\":3}]", three), "") << "three in each";
    EXPECT_EQ(check_error("[1,2,3, 4]", three),
              "malformed JSON at byte 8: more than 3 items in one array or object (raise --docker-max-json-items)");
    EXPECT_EQ(check_error(R"({"a":1,"b":2,"c":3,"d":4})", three),
              "malformed JSON at byte 19: more than 3 items in one array or object (raise --docker-max-json-items)");
    EXPECT_EQ(check_error("[1]", {.max_depth = 10, .max_items = 0, .max_string = 100, .option_prefix = {}}),
              "malformed JSON at byte 1: more than 0 items in one array or object (raise --max-json-items)");
}

TEST(JsonLimits, StringsAndKeysAreBoundedByTheirRawBytes) {
    const json::Limits four{.max_depth = 10, .max_items = 10, .max_string = 4, .option_prefix = {}};
    EXPECT_EQ(check_error(R"(["abcd","\n\t"])", four), "") << "raw text: 4 bytes each";
    EXPECT_EQ(check_error(R"(["abcd","abcde"])", four),
              "malformed JSON at byte 13: a string longer than 4 bytes (raise --max-json-string-mib)");
    EXPECT_EQ(check_error(R"({"abcde":1})", four),
              "malformed JSON at byte 6: a string longer than 4 bytes (raise --max-json-string-mib)");
    EXPECT_EQ(check_error("\"" + std::string((16 << 20) + 1, 'x') + "\""),
              "malformed JSON at byte 16777217: a string longer than 16 MiB (raise --max-json-string-mib)");
}

TEST(JsonLimits, CheckWantsExactlyOneValidValue) {
    EXPECT_EQ(check_error(" {\"a\":[1,true,null,\"\\u00e9\"]}\n"), "");
    EXPECT_EQ(check_error("[1] [2]"), "malformed JSON at byte 4: text after the value");
    EXPECT_EQ(check_error("[1,"), "malformed JSON at byte 3: unexpected end of text");
    EXPECT_EQ(check_error(R"("\udc00")"), "malformed JSON at byte 2: lone low surrogate");
}

TEST(JsonLimits, LimitedMembersCheckEachValueOnItsOwn) {
    const json::Limits two{.max_depth = 2, .max_items = 2, .max_string = 8, .option_prefix = {}};
    const auto found = json::members(R"({"result":[[1,2]],"id":1})", two);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].value, "[[1,2]]");
    try {
        json::members(R"({"result":[[[1]]],"id":1})", two);
        FAIL() << "three levels in a member's value";
    } catch (const json::ScanError& e) {
        EXPECT_STREQ(e.what(), "malformed JSON at byte 12: nesting deeper than 2 (raise --max-json-depth)");
    }
    EXPECT_THROW(json::members(R"({"a":1,"b":2,"c":3})", two), json::ScanError) << "members count as items";
    EXPECT_THROW(json::members(R"({"a":"123456789"})", two), json::ScanError);
    EXPECT_EQ(json::members(R"({"a":"123456789"})").size(), 1u) << "no limits without Limits";
}
