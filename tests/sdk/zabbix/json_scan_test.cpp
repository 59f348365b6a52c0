// The JSON scanner the client and the zabbix-backup plugin use on large answers.
#include <concierge/zabbix/json_scan.hpp>

#include <gtest/gtest.h>

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
