// sdk::printable: what remote text keeps and loses before it reaches a terminal.
#include <concierge/sdk/printable.hpp>

#include <gtest/gtest.h>

namespace {

using concierge::sdk::Lines;
using concierge::sdk::printable;

TEST(Printable, PlainTextAndUtf8AreKeptByteForByte) {
    EXPECT_EQ(printable("Zabbix server é ✓ [ok] ~"), "Zabbix server é ✓ [ok] ~");
}

TEST(Printable, WindowTitleAndColourSequencesAreDroppedWhole) {
    EXPECT_EQ(printable("a\x1b]0;pwned\x07" "b\x1b[31mc\x1b[0m"), "abc");
}

TEST(Printable, OscEndedByStringTerminatorIsDroppedWhole) {
    EXPECT_EQ(printable("a\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\"), "alink");
}

TEST(Printable, DeviceControlStringIsDroppedWhole) { EXPECT_EQ(printable("a\x1bPq#0;2;0\x1b\\b"), "ab"); }

TEST(Printable, TwoByteEscapeLikeTerminalResetIsDropped) { EXPECT_EQ(printable("a\x1b" "cb"), "ab"); }

TEST(Printable, C1CsiAndOscInUtf8AreDroppedWithTheirParameters) {
    EXPECT_EQ(printable("a\xc2\x9b" "31mb\xc2\x9d" "0;t\xc2\x9c" "c\xc2\x85" "d"), "abcd");
}

TEST(Printable, OtherControlsAndDeleteAreDropped) { EXPECT_EQ(printable("a\x07\x08\x7f\x01" "b"), "ab"); }

TEST(Printable, JoinTurnsNewlinesTabsAndCarriageReturnsIntoSpaces) {
    EXPECT_EQ(printable("one\ntwo\tthree\rfour"), "one two three four");
}

TEST(Printable, KeepLeavesNewlinesAndTabsButNotCarriageReturns) {
    EXPECT_EQ(printable("one\ntwo\tthree\rfour", Lines::Keep), "one\ntwo\tthree four");
}

TEST(Printable, AnEscapeCutAtTheEndLeavesNothingBehind) {
    EXPECT_EQ(printable("a\x1b"), "a");
    EXPECT_EQ(printable("a\x1b[31"), "a");
    EXPECT_EQ(printable("a\x1b]0;never ended"), "a");
}

}  // namespace
