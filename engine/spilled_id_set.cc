// Run file (one per spill; owner-only, unlinked once open, read by pread):
//   run   := block*                 every block full but the last
//   block := entry{1..kRunBlockEntries}
//   entry := fixed64(key) fixed64(content_hash) fixed64(case_hash) fixed32(number)
//            (host order)
// Entries are in increasing key order and no key is in two entries (nor in
// two runs: the caller inserts only what Find did not find).
#include "engine/spilled_id_set.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "store/base/status_macros.h"
#include "store/private_files.h"

namespace carelog {
namespace {

constexpr size_t kEntryBytes = 28;
constexpr size_t kBlockBytes = SpilledIdSet::kRunBlockEntries * kEntryBytes;
// Bits of filter an id while it may still grow: a blocked Bloom filter with
// 7 probes at 16 bits an id lets ~0.2% of new ids through to the runs.
constexpr size_t kFilterBitsPerId = 16;
constexpr size_t kIoBytes = size_t{1} << 20;

struct Entry {
  // Left uninitialised when a spill sizes its vector: every entry is then
  // written once, in its bucket (zeroing 25 MB first showed in the profile).
  Entry() {}
  Entry(uint64_t k, uint64_t content, uint64_t kase, uint32_t n)
      : key(k), content_hash(content), case_hash(kase), number(n) {}
  uint64_t key;
  uint64_t content_hash;
  uint64_t case_hash;
  uint32_t number;
};

void Encode(const Entry& e, char* out) {
  std::memcpy(out, &e.key, 8);
  std::memcpy(out + 8, &e.content_hash, 8);
  std::memcpy(out + 16, &e.case_hash, 8);
  std::memcpy(out + 24, &e.number, 4);
}
uint64_t KeyAt(const char* p) {
  uint64_t k;
  std::memcpy(&k, p, 8);
  return k;
}

// A spill's buckets: 65,536 of them, ~14 keys each at the table's default
// size.
constexpr int kSpillBucketBits = 16;
size_t SpillBucket(uint64_t key) { return static_cast<size_t>(key >> (64 - kSpillBucketBits)); }

// The table's keys are absl hashes of ids, but the filter must not use the
// same bits the table does: two finalizers of murmur3 give it its own.
uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// write(2) until done; the errno of a failure, 0 on success.
int WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return 0;
}

// pread(2) of exactly n bytes: OK, kDataLoss when the file is shorter,
// kInternal with the system's reason.
absl::Status ReadAll(int fd, char* data, size_t n, uint64_t offset) {
  while (n > 0) {
    const ssize_t r = ::pread(fd, data, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat(
          "reading the import's file of ids met so far failed: ", std::strerror(errno)));
    }
    if (r == 0) {
      return absl::DataLossError("the import's file of ids met so far is shorter than written");
    }
    data += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return absl::OkStatus();
}

}  // namespace

void SpilledIdSet::Filter::Reset(size_t bytes) {
  blocks_ = std::max<size_t>(1, bytes / 64);
  words_.assign(blocks_ * 8, 0);
}

void SpilledIdSet::Filter::Add(uint64_t key) {
  const uint64_t h = Mix(key);
  uint64_t* block =
      &words_[static_cast<size_t>((static_cast<unsigned __int128>(h) * blocks_) >> 64) * 8];
  const uint64_t bits = Mix(key ^ 0x9e3779b97f4a7c15ULL);
  for (int i = 0; i < 7; ++i) {
    const unsigned bit = static_cast<unsigned>(bits >> (9 * i)) & 511;
    block[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
}

bool SpilledIdSet::Filter::MayContain(uint64_t key) const {
  if (words_.empty()) return false;
  const uint64_t h = Mix(key);
  const uint64_t* block =
      &words_[static_cast<size_t>((static_cast<unsigned __int128>(h) * blocks_) >> 64) * 8];
  const uint64_t bits = Mix(key ^ 0x9e3779b97f4a7c15ULL);
  for (int i = 0; i < 7; ++i) {
    const unsigned bit = static_cast<unsigned>(bits >> (9 * i)) & 511;
    if ((block[bit >> 6] & (uint64_t{1} << (bit & 63))) == 0) return false;
  }
  return true;
}

namespace {

// The ids the table holds before a spill: `ids_in_memory`, or twice that
// when the input is expected to fit in twice that. An estimate that falls
// short leaves the table, and each spill's sorted copy, at twice the usual
// size (~34 MB and ~25 MB more at the defaults) for an input that was
// expected to be small; inputs large enough to approach the memory bound
// are never given the larger table.
size_t TableLimit(const SpillOptions& options, uint64_t expected) {
  const size_t cap = std::max<size_t>(1, options.ids_in_memory);
  return expected > cap && expected <= 2 * uint64_t{cap} ? 2 * cap : cap;
}

}  // namespace

SpilledIdSet::SpilledIdSet(SpillOptions options, uint64_t expected)
    : options_(std::move(options)), expected_(expected),
      table_limit_(TableLimit(options_, expected)) {
  table_.reserve(options_.dir.empty() ? expected_ : std::min<uint64_t>(expected_, table_limit_));
}

SpilledIdSet::~SpilledIdSet() {
  for (Run& run : runs_) {
    if (run.fd >= 0) ::close(run.fd);
  }
}

absl::StatusOr<std::optional<SpilledIdSet::Value>> SpilledIdSet::Find(uint64_t key) const {
  if (!broken_.ok()) return broken_;
  if (auto it = table_.find(key); it != table_.end()) return it->second;
  if (!filter_.MayContain(key)) return std::nullopt;
  // Newest first: an id met again is more often met recently.
  for (size_t i = runs_.size(); i-- > 0;) {
    ASSIGN_OR_RETURN(std::optional<Value> v, FindInRun(runs_[i], i, key));
    if (v.has_value()) return v;
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<SpilledIdSet::Value>> SpilledIdSet::FindInRun(const Run& run,
                                                                           size_t index,
                                                                           uint64_t key) const {
  auto after = std::upper_bound(run.block_first.begin(), run.block_first.end(), key);
  if (after == run.block_first.begin()) return std::nullopt;
  const size_t block = static_cast<size_t>(after - run.block_first.begin()) - 1;
  const uint64_t first = uint64_t{block} * kRunBlockEntries;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(kRunBlockEntries, run.entries - first));
  std::array<char, kBlockBytes> buf;
  absl::Status s = ReadAll(run.fd, buf.data(), n * kEntryBytes, first * kEntryBytes);
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat(s.message(), " (run ", index + 1, ")"));
  size_t lo = 0, hi = n;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    const uint64_t k = KeyAt(buf.data() + mid * kEntryBytes);
    if (k == key) {
      Value v;
      std::memcpy(&v.content_hash, buf.data() + mid * kEntryBytes + 8, 8);
      std::memcpy(&v.case_hash, buf.data() + mid * kEntryBytes + 16, 8);
      std::memcpy(&v.number, buf.data() + mid * kEntryBytes + 24, 4);
      return v;
    }
    if (k < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return std::nullopt;
}

absl::Status SpilledIdSet::Insert(uint64_t key, Value value) {
  if (!broken_.ok()) return broken_;
  if (!options_.dir.empty() && table_.size() >= table_limit_ &&
      !table_.contains(key)) {
    broken_ = Spill();
    RETURN_IF_ERROR(broken_);
  }
  table_.try_emplace(key, value);
  return absl::OkStatus();
}

absl::Status SpilledIdSet::Spill() {
  const size_t cap = table_limit_;
  // Sorted by a counting pass on the keys' top bits, then each bucket on its
  // own: the keys are hashes, so a bucket holds a handful (std::sort of the
  // whole table, 917,504 entries, was ~55 ms of the admission thread while
  // every other thread of the import waited for it). Keys spread unevenly
  // would only make the buckets' sorts longer.
  std::vector<size_t> starts((size_t{1} << kSpillBucketBits) + 1, 0);
  for (const auto& [key, v] : table_) ++starts[SpillBucket(key) + 1];
  for (size_t b = 1; b < starts.size(); ++b) starts[b] += starts[b - 1];
  std::vector<Entry, HugePageAllocator<Entry>> entries(table_.size());
  {
    std::vector<size_t> next(starts.begin(), starts.end() - 1);
    for (const auto& [key, v] : table_) {
      entries[next[SpillBucket(key)]++] = Entry{key, v.content_hash, v.case_hash, v.number};
    }
  }
  // The table's memory goes back before the run is sorted and written, so
  // the two are never both at their largest for long.
  table_ = Table();
  for (size_t b = 0; b + 1 < starts.size(); ++b) {
    std::sort(entries.begin() + static_cast<ptrdiff_t>(starts[b]),
              entries.begin() + static_cast<ptrdiff_t>(starts[b + 1]),
              [](const Entry& a, const Entry& b) { return a.key < b.key; });
  }

  const std::string path =
      (std::filesystem::path(options_.dir) / absl::StrCat(kImportSpoolPrefix, getpid(), "-ids-",
                                                          reinterpret_cast<uintptr_t>(this), "-",
                                                          runs_.size() + 1, kImportSpoolSuffix))
          .string();
  // Owner-only whatever the umask: the runs are hashes of children's
  // records' ids, but nothing of a store is for others to read.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOSPC || err == EDQUOT) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "disk full while creating ", path, ", a file of the ids met so far in the input"));
    }
    return absl::InternalError(
        absl::StrCat("cannot create ", path,
                     " (a file of the ids met so far in the input): ", std::strerror(err)));
  }
  Run run;
  run.fd = fd;
  run.entries = entries.size();
  runs_.push_back(run);  // closed by the destructor from here on
  if (::unlink(path.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot unlink ", path, " after opening it: ", std::strerror(errno)));
  }
  Run& r = runs_.back();
  r.block_first.reserve((entries.size() + kRunBlockEntries - 1) / kRunBlockEntries);
  std::string buffer;
  buffer.reserve(kIoBytes);
  int err = 0;
  for (size_t i = 0; i < entries.size() && err == 0; ++i) {
    if (i % kRunBlockEntries == 0) r.block_first.push_back(entries[i].key);
    buffer.resize(buffer.size() + kEntryBytes);
    Encode(entries[i], buffer.data() + buffer.size() - kEntryBytes);
    if (buffer.size() + kEntryBytes > kIoBytes) {
      err = WriteAll(fd, buffer.data(), buffer.size());
      buffer.clear();
    }
  }
  if (err == 0) err = WriteAll(fd, buffer.data(), buffer.size());
  if (err == ENOSPC || err == EDQUOT) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "disk full while writing ", path, ", a file of the ids met so far in the input (",
        kEntryBytes, " bytes an event)"));
  }
  if (err != 0) {
    return absl::InternalError(
        absl::StrCat("writing ", path,
                     " (a file of the ids met so far in the input) failed: ", std::strerror(err)));
  }
  spilled_ += entries.size();

  const uint64_t wanted =
      std::max<uint64_t>({expected_, 2 * uint64_t{cap}, spilled_}) * kFilterBitsPerId / 8;
  if (filter_.empty()) {
    filter_.Reset(static_cast<size_t>(std::min<uint64_t>(wanted, options_.max_filter_bytes)));
  } else if (spilled_ * kFilterBitsPerId / 8 > filter_.bytes() &&
             filter_.bytes() < options_.max_filter_bytes) {
    entries = decltype(entries)();
    return GrowFilter();  // reads this run back with the others
  }
  for (const Entry& e : entries) filter_.Add(e.key);
  entries = decltype(entries)();
  table_.reserve(cap);
  return absl::OkStatus();
}

absl::Status SpilledIdSet::GrowFilter() {
  // Doubling keeps the re-reading to about twice the ids spilled in all.
  const size_t bytes = static_cast<size_t>(
      std::min<uint64_t>(std::max<uint64_t>(2 * filter_.bytes(), spilled_ * kFilterBitsPerId / 8),
                         options_.max_filter_bytes));
  filter_.Reset(bytes);
  std::string buffer(kIoBytes / kEntryBytes * kEntryBytes, '\0');
  for (size_t i = 0; i < runs_.size(); ++i) {
    const Run& run = runs_[i];
    for (uint64_t done = 0; done < run.entries;) {
      const size_t n =
          static_cast<size_t>(std::min<uint64_t>(buffer.size() / kEntryBytes, run.entries - done));
      absl::Status s = ReadAll(run.fd, buffer.data(), n * kEntryBytes, done * kEntryBytes);
      if (!s.ok()) return absl::Status(s.code(), absl::StrCat(s.message(), " (run ", i + 1, ")"));
      for (size_t j = 0; j < n; ++j) filter_.Add(KeyAt(buffer.data() + j * kEntryBytes));
      done += n;
    }
  }
  table_.reserve(table_limit_);
  return absl::OkStatus();
}

}  // namespace carelog
