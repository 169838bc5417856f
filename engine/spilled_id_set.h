// SpilledIdSet: the ids of a file's events met so far (admission's step 2 for
// `carelog import`, engine/admission.h), in memory that does not grow with
// the file.
//
// An id is remembered by its 64-bit hash, with the 64-bit hashes of its
// (case, bytes) and of its case, and its 1-based line. The newest ids stay
// in a hash table; when it holds `ids_in_memory` of them they are written,
// sorted by id hash, to a run file beside the store and the table starts
// again. What stays in
// memory for the runs:
//   - one filter (a blocked Bloom filter, ~16 bits an id up to
//     `max_filter_bytes`, then fuller) that answers "certainly not spilled"
//     for almost every new id, so a file of new ids reads no run at all;
//   - per run, the first id hash of every block of kRunBlockEntries entries,
//     so an id the filter lets through costs one pread per run.
// A file of 10 million events keeps ~100 MB here at the default sizes
// (~150 MB while a run is written) rather than the ~550 MB a table of every
// id took; at 50 million, ~170 MB (~220 MB), most of it the filter.
//
// Run files are created owner-only with the import spool's name
// (store/private_files.h), then unlinked at once and read through their open
// descriptor: nothing is left behind however the process ends, and a crash
// between creating and unlinking is cleaned up by the store's next
// read-write open like a spool.
//
// Not thread-safe: one thread (the import's main thread) uses it.
#ifndef CARELOG_ENGINE_SPILLED_ID_SET_H_
#define CARELOG_ENGINE_SPILLED_ID_SET_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/base/huge_page_allocator.h"

namespace carelog {

struct SpillOptions {
  // Where run files go (the store's directory). Empty: never spill, so the
  // table grows with the input (tests, and inputs known to be small).
  std::string dir;
  // Ids held in the table before they are written out as a run. The default
  // fills a table of 2^20 slots to its maximum load: ~34 MB, and ~25 MB
  // more while a run is sorted and written. (2^21 until the import staged
  // its groups while admitting: the two now share the memory.) Twice as
  // many when the set is told to expect at most that: a run written for an
  // input only a little larger than the table (945,520 events against
  // 917,504) is a sort, a file and a filter for the last few ids, while the
  // table twice as large costs ~34 MB more only at sizes far below the
  // memory bound (engine/spilled_id_set.cc, TableLimit).
  size_t ids_in_memory = (size_t{1} << 20) / 8 * 7;
  // The filter's largest size. It starts at 16 bits an id for the larger of
  // the expected ids and twice the table, and doubles (read back from the
  // runs) as more are spilled, up to this; past ~67 million spilled ids
  // (at 128 MiB) it fills and more look-ups read the runs.
  size_t max_filter_bytes = size_t{128} << 20;
};

class SpilledIdSet {
 public:
  // What is remembered of an id.
  struct Value {
    uint64_t content_hash = 0;  // of (case, bytes): EventContent::hash
    uint64_t case_hash = 0;     // of the case alone (corrections name an event of their case)
    uint32_t number = 0;        // 1-based place in the input, saturated
  };

  // Entries per block of a run: the unit one look-up reads (28 bytes each).
  static constexpr size_t kRunBlockEntries = 128;

  // `expected` (0 = unknown) sizes the table (at most `ids_in_memory`, or
  // twice that when `expected` is at most twice that) and the first filter.
  // Creates no file until the first spill.
  explicit SpilledIdSet(SpillOptions options, uint64_t expected = 0);
  // Closes the runs (their space is freed: they were unlinked at creation).
  ~SpilledIdSet();
  SpilledIdSet(const SpilledIdSet&) = delete;
  SpilledIdSet& operator=(const SpilledIdSet&) = delete;

  // The value remembered under `key`, nullopt when none. An error status
  // (kInternal naming the file and the system's reason, kDataLoss for a
  // short read) only when reading a run failed.
  [[nodiscard]] absl::StatusOr<std::optional<Value>> Find(uint64_t key) const;

  // Remembers `value` under `key`, which Find has just not found (a key
  // already in the table is left as it is; one already spilled is a
  // caller's error that Find would then answer with either value). May
  // write a run: kResourceExhausted "disk full …" when the disk (or quota)
  // is full, kInternal naming the file and the system's reason for other
  // failures; the set is then unusable.
  [[nodiscard]] absl::Status Insert(uint64_t key, Value value);

  // A hint that `key` is looked up or inserted soon: its place in the table
  // is fetched into the cache. Changes nothing.
  void Prefetch(uint64_t key) const { table_.prefetch(key); }

  // How many runs were written (for tests and reports).
  size_t runs() const { return runs_.size(); }
  // Ids remembered in all.
  uint64_t size() const { return spilled_ + table_.size(); }

 private:
  struct Run {
    int fd = -1;
    uint64_t entries = 0;
    std::vector<uint64_t> block_first;  // the first key of each block
  };
  class Filter {
   public:
    void Reset(size_t bytes);
    void Add(uint64_t key);
    bool MayContain(uint64_t key) const;
    size_t bytes() const { return words_.size() * 8; }
    bool empty() const { return words_.empty(); }

   private:
    size_t blocks_ = 0;
    std::vector<uint64_t> words_;  // blocks of 8 words (one cache line)
  };

  absl::Status Spill();
  absl::Status GrowFilter();
  absl::StatusOr<std::optional<Value>> FindInRun(const Run& run, size_t index, uint64_t key) const;

  const SpillOptions options_;
  const uint64_t expected_;
  const size_t table_limit_;  // ids the table holds before a spill
  // In huge pages: every look-up is a random probe into ~34 MB.
  using Table = absl::flat_hash_map<uint64_t, Value, absl::Hash<uint64_t>, std::equal_to<uint64_t>,
                                    HugePageAllocator<std::pair<const uint64_t, Value>>>;
  Table table_;
  std::vector<Run> runs_;
  uint64_t spilled_ = 0;
  Filter filter_;
  absl::Status broken_;  // the first write failure: the set is unusable after it
};

}  // namespace carelog

#endif  // CARELOG_ENGINE_SPILLED_ID_SET_H_
