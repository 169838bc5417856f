// LogByCase: many cases' records read from the log in sequential passes,
// for a replay of every case.
//
// Reading case by case (EventStoreReader::ReadStream) costs a seek in the
// stream index and a MultiGet of records scattered through the log: ~40% of
// a whole-store replay's CPU on 937,156 events (README "Performance", 2).
// Reading the log once, in position order, and keeping each case's records
// costs a fraction of that, but holds them all. So a pass holds the records
// of a run of cases, in case order, within a memory budget: when the budget
// is passed, the run gives up its last cases (the next pass starts there).
// A store whose records fit the budget is read in one pass; a larger one in
// several, each reading the whole log: EstimatePasses says how many, and the
// caller reads case by case when that is too many.
//
// What a pass holds is what ReadStream returns (the same records, the same
// order), checked the same way: a case's versions must run 1, 2, ... in
// position order.
#ifndef CARELOG_PROJECTIONS_VIEWS_LOG_BY_CASE_H_
#define CARELOG_PROJECTIONS_VIEWS_LOG_BY_CASE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "carelog/v1/events.pb.h"
#include "store/event_store.h"

namespace carelog {

// How many bytes a replay may hold at once, counted as LogByCase counts
// them: payload bytes and a fixed entry (40 bytes) per record. What it
// allocates is at most a megabyte more, plus the spare capacity of each
// case's list of entries.
inline constexpr size_t kReplayHoldBytes = 128 << 20;

class LogByCase {
 public:
  // One record as held; its payload is Payload(record).
  struct Record {
    uint64_t position = 0;
    uint64_t version = 0;
    int64_t recorded_at_micros = 0;
    const char* data = nullptr;  // the payload, in the pass's blocks
    uint32_t size = 0;
    bool erased = false;
  };

  // `store` and `cases` (distinct stream names) are not owned and must
  // outlive this object. A pass holds at most `budget_bytes` (counted as
  // kReplayHoldBytes says), except that its first case is held whatever
  // its size. `parts` > 0 reads every pass in that many position ranges
  // (for tests; 0: one a core for a long log, see ReadPass). Not
  // thread-safe while a pass is read; the held records may be read from any
  // thread after it.
  LogByCase(const EventStoreReader* store, absl::Span<const std::string> cases,
            size_t budget_bytes, unsigned parts = 0);

  // Every case's records in one pass, the cases found in the log itself
  // rather than listed first (EventStoreReader::Streams seeks once a
  // stream: 0.14 s of a 1.1 s replay of 937,156 events): every stream with
  // records except system ('$...') and erased ones, which is Streams()'s
  // list of a sound store. nullptr (nothing kept) when the records do not
  // fit `budget_bytes`; then list the cases and read passes. `store` must
  // outlive the result. Errors as ReadPass.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LogByCase>> ReadWhole(
      const EventStoreReader* store, size_t budget_bytes, unsigned parts = 0);
  // The cases a ReadWhole found, in bytewise order (RecordsOf(i) is
  // cases()[i]'s); the list given to the constructor otherwise.
  absl::Span<const std::string> cases() const { return cases_; }

  // How many passes would hold every record of the log within
  // `budget_bytes`: the log's length times the mean size of its last (up to
  // 4,096) records, over the budget, rounded up; 0 for an empty log. An
  // estimate (cases' sizes vary), for choosing between passes and reading
  // case by case. kDataLoss as ScanLog.
  [[nodiscard]] static absl::StatusOr<size_t> EstimatePasses(const EventStoreReader& store,
                                                             size_t budget_bytes);

  // One pass over the log up to its last position at the call: holds the
  // records of cases[first, end) for the largest end whose records fit the
  // budget (end > first), replacing what the last pass held, and returns
  // end. A long log is read in as many position ranges as there are cores
  // (at most 8), side by side, each within its share of the budget.
  // kInvalidArgument if first >= the number of cases; kDataLoss as ScanLog,
  // or when a held case's versions do not run 1, 2, ... in position order
  // (naming the case, the position, the version found and the one expected).
  [[nodiscard]] absl::StatusOr<size_t> ReadPass(size_t first);
  // Reads every case, pass after pass from the first, and after each pass
  // calls each(first, end) for the cases it holds ([first, end), read them
  // with RecordsOf or Events). The first error of a pass or of `each`.
  [[nodiscard]] absl::Status ReadEveryPass(
      absl::FunctionRef<absl::Status(size_t first, size_t end)> each);

  // Case i's records from the last pass, in version order (first <= i < end;
  // empty for a case with no records).
  absl::Span<const Record> RecordsOf(size_t i) const;
  // The payload bytes of one of them; valid until the next ReadPass.
  static std::string_view Payload(const Record& r) { return {r.data, r.size}; }
  // Case i's records from the last pass as events: what EventLog::ReadCase
  // returns for the case (the same records, decoded the same way; errors as
  // DecodeEvent's). Safe from any thread between passes.
  [[nodiscard]] absl::StatusOr<std::vector<v1::Event>> Events(size_t i) const;

 private:
  struct Held {
    std::vector<Record> records;
    size_t bytes = 0;  // their payloads' bytes
  };
  // Payload bytes, copied one after another into large blocks: one
  // allocation a megabyte, not one or more a record.
  class Blocks {
   public:
    const char* Copy(std::string_view bytes);
    // Bytes copied in (the blocks hold at most one block more).
    size_t bytes() const { return bytes_; }

   private:
    static constexpr size_t kBlockBytes = 1 << 20;
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* current_ = nullptr;    // the block being filled
    size_t used_ = kBlockBytes;  // of it
    size_t bytes_ = 0;
  };
  // What one thread reads of a pass: positions [from, to].
  struct Part {
    std::vector<Held> held;  // held[i - first]
    Blocks blocks;
    size_t records = 0;  // in held[0, end - first)
    size_t end = 0;
    absl::Status status;
  };
  // Reads `part`'s positions into it, within `budget` bytes.
  void ReadPart(Part& part, uint64_t from, uint64_t to, size_t first, size_t budget) const;
  // ReadWhole's part: cases as found, in `names` order; false when over
  // `budget`.
  struct WholePart {
    absl::flat_hash_map<std::string, size_t> index;  // name -> held[i]
    std::vector<std::string> names;
    std::vector<Held> held;
    Blocks blocks;
    size_t records = 0;
    bool over_budget = false;
    absl::Status status;
  };
  void ReadWholePart(WholePart& part, uint64_t from, uint64_t to, size_t budget) const;
  // Holds `rec` as `h`'s next record, its payload copied into `blocks`;
  // kDataLoss when its version does not follow h's last one.
  static absl::Status Hold(const StoredRecord& rec, Held& h, Blocks& blocks, size_t* records);
  // Appends a later range's records of case `name` to `*joined` (moving
  // them when it is empty); kDataLoss unless they go on from its last version.
  static absl::Status Join(const std::string& name, std::vector<Record>& some,
                           std::vector<Record>* joined);
  // How many position ranges a pass reads side by side.
  size_t PartsFor(uint64_t last) const;
  // Gives up the part's last cases until it holds three quarters of
  // `budget` (not just under it: else every later record would give up one),
  // and copies what is kept into fresh blocks, freeing the old ones.
  static void LetGoOfTheLastCases(Part& part, size_t first, size_t budget);

  const EventStoreReader* store_;
  absl::Span<const std::string> cases_;
  size_t budget_bytes_;
  unsigned parts_;
  absl::flat_hash_map<std::string_view, size_t> index_;  // case -> i
  size_t first_ = 0;
  size_t end_ = 0;
  std::vector<std::vector<Record>> held_;  // held_[i - first_]
  std::vector<Blocks> blocks_;             // the payloads they point into
  std::vector<std::string> found_;         // ReadWhole's cases (cases_ views them)
};

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_VIEWS_LOG_BY_CASE_H_
