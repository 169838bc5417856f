// Escaping for what carelog prints (issue 12 point 12): ids and free text
// from the log must not be able to drive a terminal or break JSON.
#include "projections/escape.h"

#include <string>

#include "gtest/gtest.h"

namespace carelog {
namespace {

TEST(EscapeTest, TerminalSafeLeavesPrintableTextAlone) {
  EXPECT_EQ(TerminalSafe("C-000123"), "C-000123");
  EXPECT_EQ(TerminalSafe("Caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve"), "Caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve");
  EXPECT_EQ(TerminalSafe("COUNCIL\\jsmith"), "COUNCIL\\jsmith");
  EXPECT_EQ(TerminalSafe(""), "");
}

TEST(EscapeTest, TerminalSafeEscapesWhatDrivesATerminal) {
  EXPECT_EQ(TerminalSafe(std::string("C-\0" "1", 4)), "C-\\x001");
  EXPECT_EQ(TerminalSafe("sw\x1b[2J\x1b]0;x\x07"), "sw\\x1B[2J\\x1B]0;x\\x07");
  EXPECT_EQ(TerminalSafe("a\nb\tc\rd\x7f"), "a\\nb\\tc\\rd\\x7F");
  EXPECT_EQ(TerminalSafe("x\xc2\x9b" "31m"), "x\\u009B31m");          // C1 CSI
  EXPECT_EQ(TerminalSafe("abc\xe2\x80\xae" "fdp.exe"), "abc\\u202Efdp.exe");  // RTL override
  EXPECT_EQ(TerminalSafe("bad\xff\xc3"), "bad\\xFF\\xC3");            // not UTF-8
  EXPECT_EQ(TerminalSafe("\xc0\xaf"), "\\xC0\\xAF");                  // overlong '/'
  EXPECT_EQ(TerminalSafeLines("one\ntwo\x1b[2J\n"), "one\ntwo\\x1B[2J\n");
}

TEST(EscapeTest, JsonIsValidWhateverTheBytes) {
  std::string out;
  AppendJsonString(std::string("C-\0\x1b\x7f\xc2\x85\xff\"\\\xc3\xa9", 12), &out);
  EXPECT_EQ(out, "\"C-\\u0000\\u001b\\u007f\\u0085\\ufffd\\\"\\\\\xc3\xa9\"");
  out.clear();
  AppendJsonString("plain text", &out);
  EXPECT_EQ(out, "\"plain text\"");
}

}  // namespace
}  // namespace carelog
