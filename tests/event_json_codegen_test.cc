// The generated filler (engine/codegen/event_json_codegen.cc) against the
// reflective one it replaced, which stays as the reference: every line, and
// every variant of it made by changing one value's type, renaming or
// repeating one key, or adding an unknown one, must give the same event
// bytes or the same refusal, word for word.
#include <simdjson.h>

#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "carelog/v1/events.pb.h"
#include "engine/event_json.h"
#include "engine/gen/generate_histories.h"
#include "engine/gen/json_text.h"
#include "gtest/gtest.h"

namespace carelog {
namespace {

namespace dom = simdjson::dom;
using Filling = EventJsonParser::Filling;

std::string Quote(std::string_view s) {
  std::string out = "\"";
  gen::AppendEscaped(out, s);
  return out + "\"";
}

// One change to a line: at the `target`-th key of the whole line (counted
// depth first, from 0), do `kind`.
struct Mutation {
  enum Kind { kReplaceValue, kSnakeCaseKey, kRepeatKey, kAddUnknownKey, kDropKey } kind;
  int target;
  std::string value;  // for kReplaceValue
};

std::string SnakeCase(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

// `el` written back as JSON with `m` applied; `counter` counts keys met.
void Write(dom::element el, const Mutation& m, int* counter, std::string* out) {
  if (el.type() == dom::element_type::ARRAY) {
    *out += '[';
    bool first = true;
    for (dom::element v : dom::array(el)) {
      if (!first) *out += ',';
      first = false;
      Write(v, m, counter, out);
    }
    *out += ']';
    return;
  }
  if (el.type() != dom::element_type::OBJECT) {
    *out += simdjson::minify(el);
    return;
  }
  *out += '{';
  bool first = true;
  for (dom::key_value_pair kv : dom::object(el)) {
    const int here = (*counter)++;
    const bool at = here == m.target;
    if (at && m.kind == Mutation::kDropKey) continue;
    if (!first) *out += ',';
    first = false;
    if (at && m.kind == Mutation::kAddUnknownKey) *out += "\"notAField\":1,";
    *out += Quote(at && m.kind == Mutation::kSnakeCaseKey ? SnakeCase(kv.key) : kv.key);
    *out += ':';
    if (at && m.kind == Mutation::kReplaceValue) {
      *out += m.value;
    } else {
      Write(kv.value, m, counter, out);
    }
    if (at && m.kind == Mutation::kRepeatKey) {
      *out += ',' + Quote(kv.key) + ':';
      int ignored = -1000000;
      Write(kv.value, Mutation{Mutation::kReplaceValue, -1, ""}, &ignored, out);
    }
  }
  *out += '}';
}

struct Tally {
  int accepted = 0;
  int refused = 0;
};

// Both fillers on `line`, each with a parser used for many lines (as an
// import's workers use one), and each with a fresh one.
void Compare(const std::string& line, EventJsonParser& generated, EventJsonParser& reference,
             Tally* tally) {
  v1::Event a, b;
  const absl::Status got = generated.Parse(line, &a);
  const absl::Status want = reference.Parse(line, &b);
  ASSERT_EQ(got, want) << line;
  if (want.ok()) {
    ASSERT_EQ(a.SerializeAsString(), b.SerializeAsString()) << line;
    ++tally->accepted;
  } else {
    ++tally->refused;
  }
  v1::Event fresh;
  ASSERT_EQ(EventJsonParser(Filling::kGenerated).Parse(line, &fresh), want) << line;
  if (want.ok()) {
    ASSERT_EQ(fresh.SerializeAsString(), b.SerializeAsString()) << line;
  }
}

std::vector<std::string> GeneratedLines() {
  GenOptions opts;
  opts.children = 40;
  opts.years = 4;
  opts.seed = 11;
  std::ostringstream out;
  EXPECT_TRUE(GenerateHistories(opts, out).ok());
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(EventJsonCodegenTest, GeneratedHistoriesGiveTheSameEvents) {
  EventJsonParser generated(Filling::kGenerated), reference(Filling::kReflection);
  Tally tally;
  const std::vector<std::string> lines = GeneratedLines();
  for (const std::string& line : lines) Compare(line, generated, reference, &tally);
  EXPECT_EQ(tally.accepted, static_cast<int>(lines.size()));
  EXPECT_GT(tally.accepted, 1000);
}

// The fuzz target's seed lines (bad roles, each payload, odd shapes).
TEST(EventJsonCodegenTest, FuzzCorpusGivesTheSameAnswers) {
  const std::filesystem::path dir =
      std::filesystem::path(CARELOG_SOURCE_DIR) / "tests/fuzz/corpus/ndjson_line_fuzz";
  EventJsonParser generated(Filling::kGenerated), reference(Filling::kReflection);
  Tally tally;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Compare(line, generated, reference, &tally);
  }
  EXPECT_GT(tally.accepted + tally.refused, 20);
}

TEST(EventJsonCodegenTest, EveryOneKeyChangeGivesTheSameAnswer) {
  const std::vector<std::string> values = {
      "null", "7", "-3", "2.5", "\"x\"", "\"12\"", "\"-4\"", "\"IRO\"", "\"ROLE_UNSPECIFIED\"",
      "\"2024-01-01T00:00:00Z\"", "\"2024-01-01T00:00:00.5+01:00\"", "\"2024-02-30T00:00:00Z\"",
      "true", "{}", "[]", "[\"a\",\"b\"]", "[1]", "[null]", "{\"x\":1}",
      "{\"reviewId\":\"R\"}"};
  std::vector<std::string> lines = GeneratedLines();
  // One line of each payload type, and a correction (an Event inside one).
  std::vector<std::string> sample;
  {
    std::set<std::string> seen;
    dom::parser p;
    for (const std::string& line : lines) {
      dom::object obj = p.parse(line).get_object();
      std::string payload;
      for (dom::key_value_pair kv : obj) {
        if (kv.value.type() == dom::element_type::OBJECT && kv.key != "actor") {
          payload = std::string(kv.key);
        }
      }
      if (seen.insert(payload).second) sample.push_back(line);
    }
  }
  ASSERT_GT(sample.size(), 30u);
  EventJsonParser generated(Filling::kGenerated), reference(Filling::kReflection);
  Tally tally;
  dom::parser p;
  for (const std::string& line : sample) {
    int keys = 0;
    {
      std::string ignored;
      Write(p.parse(line), Mutation{Mutation::kReplaceValue, -1, ""}, &keys, &ignored);
      ASSERT_EQ(ignored.size(), line.size()) << "the writer must give the line back: " << line;
    }
    for (int k = 0; k < keys; ++k) {
      std::vector<Mutation> ms = {{Mutation::kSnakeCaseKey, k, ""},
                                  {Mutation::kRepeatKey, k, ""},
                                  {Mutation::kAddUnknownKey, k, ""},
                                  {Mutation::kDropKey, k, ""}};
      for (const std::string& v : values) ms.push_back({Mutation::kReplaceValue, k, v});
      for (const Mutation& m : ms) {
        std::string variant;
        int counter = 0;
        Write(p.parse(line), m, &counter, &variant);
        Compare(variant, generated, reference, &tally);
        if (HasFatalFailure()) return;
      }
    }
  }
  // Both kinds of answer are compared, many times over.
  EXPECT_GT(tally.accepted, 500);
  EXPECT_GT(tally.refused, 5000);
}

}  // namespace
}  // namespace carelog
