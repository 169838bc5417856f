// SpilledIdSet (engine/spilled_id_set.h): with a table of a few ids it
// answers exactly as a map of every id would, across many runs and a filter
// that grows or is too small to help; its run files are owner-only, gone
// from the directory while in use and closed with the set; a failed write
// is an error that names the file, and the set answers nothing after it.
#include "engine/spilled_id_set.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/private_files.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

namespace fs = std::filesystem;
using ::carelog::testing::TempDir;
using ::testing::HasSubstr;

// The descriptors this process holds on files named like the import spool
// under `dir`, with the mode of each file.
std::vector<std::pair<std::string, unsigned>> OpenSpoolFiles(const std::string& dir) {
  std::vector<std::pair<std::string, unsigned>> out;
  for (const auto& e : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const fs::path target = fs::read_symlink(e.path(), ec);
    if (ec) continue;
    const std::string t = target.string();
    if (!absl::StartsWith(t, dir) || t.find(kImportSpoolPrefix) == std::string::npos) continue;
    struct stat st;
    if (stat(e.path().c_str(), &st) != 0) continue;
    out.emplace_back(t, st.st_mode & 07777);
  }
  return out;
}

bool SameValue(const std::optional<SpilledIdSet::Value>& a,
               const std::optional<SpilledIdSet::Value>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a.has_value() || (a->content_hash == b->content_hash && a->case_hash == b->case_hash &&
                            a->number == b->number);
}

// Inserts `n` random keys (as admission would: only those not found) into a
// set with a table of 100 and compares every answer, and look-ups of keys
// never inserted, with a std::map.
// `mask` narrows the keys (ids' hashes are spread over all 64 bits).
void CompareWithAMap(SpillOptions options, int n, uint64_t mask = ~uint64_t{0}) {
  std::mt19937_64 rng(42);
  std::map<uint64_t, SpilledIdSet::Value> want;
  SpilledIdSet set(options);
  std::vector<uint64_t> keys;
  for (int i = 1; i <= n; ++i) {
    // Every tenth key is one met before (far back, in some earlier run).
    const bool again = i % 10 == 0 && !keys.empty();
    const uint64_t key = again ? keys[rng() % keys.size()] : rng() & mask;
    auto found = set.Find(key);
    ASSERT_TRUE(found.ok()) << found.status();
    auto it = want.find(key);
    ASSERT_TRUE(SameValue(
        *found, it == want.end() ? std::nullopt : std::optional<SpilledIdSet::Value>(it->second)))
        << "key " << key << " at " << i;
    if (found->has_value()) continue;
    const SpilledIdSet::Value v{rng(), rng(), static_cast<uint32_t>(i)};
    ASSERT_TRUE(set.Insert(key, v).ok());
    want.emplace(key, v);
    keys.push_back(key);
  }
  EXPECT_EQ(set.size(), want.size());
  EXPECT_GT(set.runs(), static_cast<size_t>(n / 200)) << "too few runs to test anything";
  for (const auto& [key, v] : want) {
    auto found = set.Find(key);
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_TRUE(SameValue(*found, v)) << key;
  }
  int absent = 0;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t key = rng() & mask;
    if (want.contains(key)) continue;
    auto found = set.Find(key);
    ASSERT_TRUE(found.ok()) << found.status();
    absent += !found->has_value();
    ASSERT_FALSE(found->has_value()) << key;
  }
  EXPECT_GT(absent, 19000);
}

TEST(SpilledIdSetTest, AnswersAsAMapOfEveryIdAcrossManyRuns) {
  TempDir dir;
  SpillOptions o;
  o.dir = dir.path();
  o.ids_in_memory = 100;  // the filter grows from 200 ids' worth several times
  CompareWithAMap(o, 8000);
}

// A spill sorts by the keys' top bits first: keys that all share them (one
// bucket) are still written in order and found.
TEST(SpilledIdSetTest, KeysThatShareTheirTopBitsAreFoundToo) {
  TempDir dir;
  SpillOptions o;
  o.dir = dir.path();
  o.ids_in_memory = 100;
  CompareWithAMap(o, 6000, (uint64_t{1} << 40) - 1);
}

TEST(SpilledIdSetTest, AFilterTooSmallToHelpOnlyCostsReads) {
  TempDir dir;
  SpillOptions o;
  o.dir = dir.path();
  o.ids_in_memory = 100;
  o.max_filter_bytes = 64;  // one block: full at once, every look-up reads runs
  CompareWithAMap(o, 3000);
}

// An input expected to fit in twice the table is held in one table: a run
// for its last few ids would be all cost. Expected to be larger, or not
// known, the table spills at `ids_in_memory` as before.
TEST(SpilledIdSetTest, AnInputExpectedToFitTwiceTheTableIsNotSpilled) {
  TempDir dir;
  SpillOptions o;
  o.dir = dir.path();
  o.ids_in_memory = 100;
  auto insert = [](SpilledIdSet& set, uint64_t n) {
    for (uint64_t k = 1; k <= n; ++k) ASSERT_TRUE(set.Insert(k * 7919, {k, k, 1}).ok());
  };
  {
    SpilledIdSet set(o, /*expected=*/150);
    insert(set, 200);
    EXPECT_EQ(set.runs(), 0u);
    EXPECT_EQ((*set.Find(7919 * 200))->content_hash, 200u);
  }
  {
    SpilledIdSet set(o, /*expected=*/150);  // the estimate falls short
    insert(set, 201);
    EXPECT_EQ(set.runs(), 1u);
    EXPECT_EQ((*set.Find(7919 * 7))->content_hash, 7u);
    EXPECT_EQ((*set.Find(7919 * 201))->content_hash, 201u);
  }
  for (uint64_t expected : {uint64_t{0}, uint64_t{100}, uint64_t{201}}) {
    SpilledIdSet set(o, expected);
    insert(set, 101);
    EXPECT_EQ(set.runs(), 1u) << "expected " << expected;
  }
}

TEST(SpilledIdSetTest, WithoutADirectoryNothingIsSpilled) {
  SpillOptions o;
  o.ids_in_memory = 10;
  SpilledIdSet set(o);
  for (uint64_t k = 1; k <= 1000; ++k) ASSERT_TRUE(set.Insert(k * 7919, {k, k, 1}).ok());
  EXPECT_EQ(set.runs(), 0u);
  EXPECT_EQ((*set.Find(7919 * 500))->content_hash, 500u);
}

TEST(SpilledIdSetTest, RunsAreOwnerOnlyOutOfTheDirectoryAndClosedWithTheSet) {
  TempDir dir;
  const mode_t old_umask = umask(0);  // a umask that would let others read
  {
    SpillOptions o;
    o.dir = dir.path();
    o.ids_in_memory = 100;
    SpilledIdSet set(o);
    for (uint64_t k = 1; k <= 1000; ++k) ASSERT_TRUE(set.Insert(k * 104729, {k, k, 1}).ok());
    ASSERT_GE(set.runs(), 9u);
    const auto open = OpenSpoolFiles(dir.path());
    EXPECT_EQ(open.size(), set.runs());
    for (const auto& [path, mode] : open) {
      EXPECT_EQ(mode & 0077, 0u) << path << " mode " << std::oct << mode;
      EXPECT_THAT(path, HasSubstr(kImportSpoolSuffix));  // the store's next open would remove it
      EXPECT_THAT(path, HasSubstr("(deleted)")) << "a killed import would leave it";
    }
    EXPECT_TRUE(fs::is_empty(dir.path()));
  }
  umask(old_umask);
  EXPECT_TRUE(OpenSpoolFiles(dir.path()).empty()) << "the runs' space is not given back";
}

// A run that cannot be written: files limited to 1,000 bytes (a run of 100
// ids is 2,000), in this process only while the set writes.
TEST(SpilledIdSetTest, AFailedWriteNamesTheFileAndStopsTheSet) {
  TempDir dir;
  SpillOptions o;
  o.dir = dir.path();
  o.ids_in_memory = 100;
  SpilledIdSet set(o);
  for (uint64_t k = 1; k <= 100; ++k) ASSERT_TRUE(set.Insert(k, {k, k, 1}).ok());
  struct rlimit old_limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  struct rlimit small = old_limit;
  small.rlim_cur = 1000;
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const absl::Status s = set.Insert(101, {101, 101, 101});
  setrlimit(RLIMIT_FSIZE, &old_limit);
  signal(SIGXFSZ, old_handler);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_THAT(s.message(), HasSubstr("a file of the ids met so far in the input) failed: "));
  EXPECT_THAT(s.message(), HasSubstr(dir.path()));
  // Half a run is no answer: the set refuses to say anything after.
  EXPECT_EQ(set.Find(1).status(), s);
  EXPECT_EQ(set.Insert(102, {102, 102, 102}), s);
}

TEST(SpilledIdSetTest, ADirectoryThatCannotHoldARunIsAnError) {
  TempDir dir;
  SpillOptions o;
  o.dir = dir.Sub("missing");
  o.ids_in_memory = 2;
  SpilledIdSet set(o);
  ASSERT_TRUE(set.Insert(1, {1, 1, 1}).ok());
  ASSERT_TRUE(set.Insert(2, {2, 2, 2}).ok());
  const absl::Status s = set.Insert(3, {3, 3, 3});
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("cannot create"));
  EXPECT_THAT(s.message(), HasSubstr("No such file or directory"));
}

}  // namespace
}  // namespace carelog
