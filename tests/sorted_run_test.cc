#include "store/internal/sorted_run.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog::internal {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

// Keys "I…" then "S…" as a staged group's index has them, with values of
// every size from none to past a block.
Entries MakeEntries(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::string, std::string> sorted;
  while (sorted.size() < n) {
    std::string key = absl::StrCat(rng() % 2 == 0 ? "I" : "S", rng() % 100000000);
    size_t len = rng() % 40;
    if (rng() % 500 == 0) len = SortedRunWriter::kBlockBytes + rng() % 1000;
    std::string value(len, '\0');
    for (char& c : value) c = static_cast<char>(rng());
    sorted.emplace(std::move(key), std::move(value));
  }
  return Entries(sorted.begin(), sorted.end());
}

SortedRun Write(const std::string& path, const Entries& entries) {
  std::unique_ptr<SortedRunWriter> writer;
  EXPECT_TRUE(SortedRunWriter::Open(*rocksdb::Env::Default(), path, &writer).ok());
  for (const auto& [k, v] : entries) EXPECT_TRUE(writer->Add(k, v).ok()) << k;
  SortedRun run;
  EXPECT_TRUE(writer->Finish(&run).ok());
  return run;
}

// Everything from Seek(from) on; the reader's final status in *status.
Entries ReadFrom(const SortedRun& run, const std::string& from, size_t readahead,
                 rocksdb::Status* status) {
  SortedRunReader reader(*rocksdb::Env::Default(), run, readahead);
  Entries got;
  *status = reader.Seek(from);
  for (; reader.Valid(); reader.Next()) {
    got.emplace_back(reader.key().ToString(), reader.value().ToString());
  }
  if (status->ok()) *status = reader.status();
  return got;
}

TEST(SortedRunTest, ReadsBackWhatWasWrittenInOrder) {
  carelog::testing::TempDir dir;
  const Entries entries = MakeEntries(20000, 1);
  const SortedRun run = Write(dir.Sub("run"), entries);
  EXPECT_EQ(run.entries, entries.size());
  EXPECT_GT(run.blocks.size(), 5u);
  uint64_t bytes = 0;
  for (const auto& b : run.blocks) bytes += b.bytes;
  EXPECT_EQ(std::filesystem::file_size(run.path), bytes);
  // Read-ahead of one block (smaller than any) and of many.
  for (size_t readahead : {size_t{1}, size_t{1} << 20}) {
    rocksdb::Status s;
    EXPECT_EQ(ReadFrom(run, "", readahead, &s), entries) << readahead;
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

TEST(SortedRunTest, SeekLandsOnTheFirstKeyAtOrAfterTheTarget) {
  carelog::testing::TempDir dir;
  const Entries entries = MakeEntries(5000, 2);
  const SortedRun run = Write(dir.Sub("run"), entries);
  std::mt19937_64 rng(3);
  std::vector<std::string> targets = {"", "A", "I", "S", "Z", entries.front().first,
                                      entries.back().first};
  for (const auto& b : run.blocks) targets.push_back(b.first_key);
  for (int i = 0; i < 200; ++i) {
    targets.push_back(entries[rng() % entries.size()].first);
    targets.push_back(absl::StrCat(rng() % 2 == 0 ? "I" : "S", rng() % 100000000, "x"));
  }
  for (const std::string& target : targets) {
    auto first = std::lower_bound(entries.begin(), entries.end(), target,
                                  [](const auto& e, const std::string& t) { return e.first < t; });
    rocksdb::Status s;
    const Entries got = ReadFrom(run, target, 64 << 10, &s);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(got, Entries(first, entries.end())) << "seek to " << target;
  }
}

TEST(SortedRunTest, AnEmptyRunHasNothingToRead) {
  carelog::testing::TempDir dir;
  const SortedRun run = Write(dir.Sub("run"), {});
  EXPECT_EQ(run.entries, 0u);
  EXPECT_TRUE(run.blocks.empty());
  rocksdb::Status s;
  EXPECT_TRUE(ReadFrom(run, "", 1 << 16, &s).empty());
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(SortedRunTest, AKeyOutOfOrderIsRefused) {
  carelog::testing::TempDir dir;
  std::unique_ptr<SortedRunWriter> writer;
  ASSERT_TRUE(SortedRunWriter::Open(*rocksdb::Env::Default(), dir.Sub("run"), &writer).ok());
  ASSERT_TRUE(writer->Add("I2", "a").ok());
  const rocksdb::Status same = writer->Add("I2", "b");
  EXPECT_TRUE(same.IsInvalidArgument()) << same.ToString();
  EXPECT_NE(same.ToString().find("out of order after 1 entries"), std::string::npos);
  EXPECT_TRUE(writer->Add("I1", "b").IsInvalidArgument());
  EXPECT_TRUE(writer->Add("I3", "b").ok());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A changed byte anywhere (a header's length or checksum, a key, a value)
// is Corruption naming the run, never other entries read as if written.
TEST(SortedRunTest, EveryDamagedByteIsCorruption) {
  carelog::testing::TempDir dir;
  const Entries entries = MakeEntries(3000, 4);
  const SortedRun run = Write(dir.Sub("run"), entries);
  const std::string good = ReadFile(run.path);
  std::vector<size_t> offsets;
  for (const auto& b : run.blocks) {
    for (size_t i = 0; i < 12; ++i) offsets.push_back(b.offset + i);
  }
  for (size_t at = 0; at < good.size(); at += 389) offsets.push_back(at);
  offsets.push_back(good.size() - 1);
  for (size_t at : offsets) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    WriteFile(run.path, bad);
    rocksdb::Status s;
    const Entries got = ReadFrom(run, "", 1 << 16, &s);
    EXPECT_TRUE(s.IsCorruption()) << "byte " << at << ": " << s.ToString();
    EXPECT_NE(s.ToString().find(run.path), std::string::npos);
    // What came before the damaged block is what was written.
    ASSERT_LE(got.size(), entries.size());
    EXPECT_EQ(got, Entries(entries.begin(), entries.begin() + got.size())) << at;
  }
}

TEST(SortedRunTest, AShortFileIsCorruption) {
  carelog::testing::TempDir dir;
  const Entries entries = MakeEntries(3000, 5);
  const SortedRun run = Write(dir.Sub("run"), entries);
  const std::string good = ReadFile(run.path);
  for (size_t keep : {size_t{0}, size_t{7}, good.size() / 2, good.size() - 1}) {
    WriteFile(run.path, good.substr(0, keep));
    rocksdb::Status s;
    ReadFrom(run, "", 1 << 16, &s);
    EXPECT_TRUE(s.IsCorruption()) << keep << ": " << s.ToString();
    EXPECT_NE(s.ToString().find("the file ends at byte"), std::string::npos) << s.ToString();
  }
  // A missing file: the Env's error.
  std::filesystem::remove(run.path);
  rocksdb::Status s;
  ReadFrom(run, "", 1 << 16, &s);
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace carelog::internal
