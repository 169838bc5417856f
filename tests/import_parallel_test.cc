// The performance paths keep behaviour: pass 1 of the import parses on
// several threads but reports and decides in line order, in-file duplicates
// are found across chunks, and the store's sorted group batches and
// BulkLoader::AppendNew leave the log exactly as before.
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/importer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/bulk_loader.h"
#include "store/event_store.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::T;
using ::carelog::testing::TempDir;
using ::testing::ElementsAre;

std::string Line(int i, const std::string& case_id, const std::string& payload) {
  return absl::StrCat(R"({"eventId":"e)", i, R"(","caseId":")", case_id,
                      R"(","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"x-1","role":"SOCIAL_WORKER"},)",
                      payload, "}");
}
const std::string kAccommodated = R"("childAccommodated":{"legalStatus":"C2","placementType":"U1"})";
const std::string kNotified = R"("iroServiceNotified":{})";

// n lines over n/10 cases (one accommodation then notifications each), so the
// file spans several of the importer's chunks.
std::string BigFile(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    const std::string c = absl::StrCat("C-", i / 10);
    absl::StrAppend(&out, Line(i, c, i % 10 == 0 ? kAccommodated : kNotified), "\n");
  }
  return out;
}

class ImportParallelTest : public ::testing::Test {
 protected:
  std::vector<std::string> Refused(const std::string& text, int threads, ImportReport* report) {
    TempDir dir;
    auto store = carelog::testing::OpenTestStore(dir.path(), &clock_);
    std::istringstream in(text);
    ImportOptions opts;
    opts.clock = &clock_;
    opts.parse_threads = threads;
    std::vector<std::string> refused;
    opts.on_refused = [&](uint64_t line, const absl::Status& s) {
      refused.push_back(absl::StrCat(line, ": ", std::string(s.message())));
    };
    auto r = ImportNdjson(store.get(), in, opts);
    EXPECT_TRUE(r.ok()) << r.status();
    *report = r.value_or(ImportReport{});
    return refused;
  }
  FakeClock clock_{T("2024-06-01T12:00:00Z")};
};

TEST_F(ImportParallelTest, RefusalsAreInLineOrderWhateverTheThreads) {
  std::string text = BigFile(5000);
  // A content error late in the file, a state error early, a duplicate id
  // with other content in a later chunk than its first use, and blank lines.
  text += Line(6000, "C-1", R"("childAccommodated":{"legalStatus":5})") + "\n";
  text += "\n   \n";
  text += Line(7, "C-0", kAccommodated) + "\n";   // e7 reused, other content
  text += Line(8, "C-0", kNotified) + "\n";       // e8 again, same content
  text = Line(9000, "C-X", R"("invitationsSent":{"reviewId":"R-9"})") + "\n" + text;
  ImportReport one, two;
  const auto a = Refused(text, 1, &one);
  const auto b = Refused(text, 2, &two);
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_THAT(a[0], ::testing::StartsWith("1: "));
  EXPECT_THAT(a[1], ::testing::StartsWith("5002: field 'childAccommodated.legalStatus'"));
  EXPECT_EQ(a[2], "5005: field 'eventId': 'e7' is already used on line 9 with different content");
  EXPECT_EQ(one.lines, two.lines);
  EXPECT_EQ(one.events, 5004u);
  EXPECT_EQ(one.already_present, two.already_present);
  EXPECT_EQ(one.appended, 0u);
}

TEST_F(ImportParallelTest, ReimportIsANoOpAndTheLogVerifies) {
  TempDir dir;
  auto store = carelog::testing::OpenTestStore(dir.path(), &clock_);
  const std::string text = BigFile(3000);
  for (int round = 0; round < 2; ++round) {
    std::istringstream in(text);
    ImportOptions opts;
    opts.clock = &clock_;
    opts.parse_threads = 3;
    opts.batch_events = 700;
    auto r = ImportNdjson(store.get(), in, opts);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->appended, round == 0 ? 3000u : 0u);
    EXPECT_EQ(r->already_present, round == 0 ? 0u : 3000u);
  }
  auto v = store->Verify();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->events, 3000u);
  auto recs = store->ReadStream("C-7");
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 10u);
  EXPECT_EQ((*recs)[0].id, "e70");
  EXPECT_EQ((*recs)[9].id, "e79");
}

TEST(StoreGroupTest, IdsCheckedByCallerStillDedupsWithinTheRequest) {
  TempDir dir;
  auto store = std::move(EventStore::Open(dir.path())).value();
  auto loader = std::move(store->BeginBulkLoad()).value();
  AppendRequest req;
  req.records = {NewRecord{"s", "a", "1"}, NewRecord{"s", "b", "2"}, NewRecord{"s", "a", "1"}};
  auto r = loader->AppendNew(std::move(req));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->positions, ElementsAre(1, 2, 1));
  EXPECT_THAT(r->already_present, ElementsAre(false, false, true));
  AppendRequest clash;
  clash.records = {NewRecord{"s", "c", "3"}, NewRecord{"t", "c", "4"}};
  EXPECT_EQ(loader->AppendNew(std::move(clash)).status().code(), absl::StatusCode::kAlreadyExists);
  loader.reset();
  auto v = store->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->events, 2u);
}

}  // namespace
}  // namespace carelog
