// Admission: the one step that decides, for every way an event comes in —
// `carelog import` of NDJSON, the SSDA903 import, the gRPC Append — whether
// it is
//   new              its id is neither in the log nor earlier in this input,
//                    its content is valid and its case's state allows it: the
//                    state moves past it and the caller appends it;
//   already present  its id is in the log, or earlier in this input, for the
//                    same case with identical bytes: an idempotent replay,
//                    reported (with the original's position when stored) and
//                    not appended again;
//   refused          with the reason and its status code: kInvalidArgument
//                    for content, kAlreadyExists for an eventId reused with
//                    other content or for another case, kFailedPrecondition
//                    for an act the case's state does not allow.
// The reasons name the field ("field 'eventId': ...") but not the event's
// place in its input: the caller prefixes that as its input names it
// ("event 2: " in a batch; a line number beside an import's refusal).
//
// The steps, in the order every path applies them:
//   1. content   ValidateContent, then the bytes to store (EncodeEvent).
//                Depends on nothing else: any thread (the importer's
//                workers do it in parallel).
//   2. input     the same id earlier in this input (a batch or a file).
//   3. log       the record the log holds under the id: ONE look-up, done by
//                the caller (EventStore::Lookup), possibly on another thread.
//   4. state     ValidateAgainstState on the case's state as the log and the
//                input's earlier events leave it.
// A batch is all or nothing, so EventLog runs step 1, then step 2 over the
// whole batch (a reused id is named before anything the log says), then
// steps 3-4 per event; an import reports every refused line, so it runs 2-4
// per line (Admitter::Admit).
#ifndef CARELOG_ENGINE_ADMISSION_H_
#define CARELOG_ENGINE_ADMISSION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"
#include "engine/spilled_id_set.h"
#include "engine/validation.h"
#include "store/event_store.h"

namespace carelog {

// What admission decided for one event.
struct Admission {
  enum Verdict { kNew, kAlreadyPresent, kRefused };
  Verdict verdict = kNew;
  // kAlreadyPresent: the stored original's position; 0 when the original is
  // earlier in the same input and not stored yet.
  uint64_t position = 0;
  // kAlreadyPresent with position 0: the 1-based place of the original in
  // the input.
  uint64_t earlier = 0;
  // kRefused: why.
  absl::Status refusal;

  static Admission New() { return Admission(); }
  static Admission Present(uint64_t position, uint64_t earlier = 0) {
    return Admission{kAlreadyPresent, position, earlier, absl::OkStatus()};
  }
  static Admission Refused(absl::Status why) {
    return Admission{kRefused, 0, 0, std::move(why)};
  }
};

// An event after step 1: the bytes the log stores and compares (EncodeEvent)
// and a 64-bit hash of (case, bytes), which is how a file's earlier lines are
// remembered. The 64-bit hashes of its id and case are made here too, on the
// import's parse workers rather than its one admitting thread, which also
// uses the id's hash to prefetch (Admitter::Prefetch).
struct EventContent {
  std::string payload;
  uint64_t hash = 0;
  uint64_t id_key = 0;    // of the event id (InputIds, kFile)
  uint64_t case_key = 0;  // of the case id
};

// Step 1: ValidateContent's verdict (kInvalidArgument "field 'X': ..."); on
// success *content holds the event's bytes and hash.
[[nodiscard]] absl::Status AdmitContent(const v1::Event& event, absl::Time now,
                                        EventContent* content);

// Step 3: the verdict of the log's record under the event's id (`prior`, as
// EventStore::Lookup returned it): kNew when kNotFound, kAlreadyPresent for
// the same case and bytes, kRefused (kAlreadyExists) otherwise. The other
// case is not named: a writer may not be entitled to read it (writer tokens
// have no read role), and its position is enough for an administrator. An
// error status when the look-up itself failed (I/O, kDataLoss).
[[nodiscard]] absl::StatusOr<Admission> AdmitAgainstLog(
    const v1::Event& event, const EventContent& content,
    const absl::StatusOr<StoredRecord>& prior);

// How an input names an earlier event with the same id (step 2).
enum class InputKind {
  // A batch of one case, all or nothing (EventLog::AppendCase): "appears
  // twice in this batch (events 1 and 3)". Bytes are compared exactly; the
  // caller keeps every remembered event's content alive.
  kBatch,
  // A file, line by line (the importers): "is already used on line 9".
  // Remembered by 64-bit hashes (engine/spilled_id_set.h), 28 bytes an id
  // and spilled to sorted runs beside the store past a bound, so memory does
  // not grow with the file; two ids colliding in 64 bits would refuse a good
  // line, never accept a bad one (content is compared by its hash).
  kFile,
};

// Step 2: the ids of the input's events met so far.
class InputIds {
 public:
  // `expected` sizes the memory once (0 = unknown). `spill` (kFile only)
  // says where and past how many ids they go to disk; its default (no
  // directory) keeps them all in memory.
  explicit InputIds(InputKind kind, uint64_t expected = 0, SpillOptions spill = {});

  // nullopt when no remembered event has this id; else kAlreadyPresent
  // (same case and bytes; `earlier` says where) or kRefused (kAlreadyExists).
  // An error status only when a spilled run could not be read (kFile).
  [[nodiscard]] absl::StatusOr<std::optional<Admission>> Check(uint64_t number,
                                                               const v1::Event& event,
                                                               const EventContent& content) const;
  // Remembers the event as number `number` (1-based) of the input; Check
  // has just returned nullopt for it. An error status only when spilling to
  // disk failed (kFile; SpilledIdSet::Insert): kResourceExhausted "disk
  // full …", kInternal otherwise.
  [[nodiscard]] absl::Status Remember(uint64_t number, const v1::Event& event,
                                      const EventContent& content);
  // kFile: whether an event with id `event_id` of case `case_id` is
  // remembered (a correction may name it). An error status as Check's.
  [[nodiscard]] absl::StatusOr<bool> HasForCase(std::string_view event_id,
                                                std::string_view case_id) const;
  // A hint that `content`'s event is checked soon (kFile): its slot of the
  // ids' table is fetched into the cache. Changes no answer.
  void Prefetch(const EventContent& content) const;

 private:
  struct Seen {
    uint32_t number;
    const std::string* payload;
  };
  const InputKind kind_;
  SpilledIdSet file_;                                  // kFile: by the id's 64-bit hash
  absl::flat_hash_map<std::string_view, Seen> exact_;  // kBatch: by the id
};

// Steps 2 to 4 for the events of one input, in input order.
class Admitter {
 public:
  // The log's state of a case, read the first time the case is met.
  using LoadState = std::function<absl::StatusOr<CaseState>(const std::string& case_id)>;

  // `spill`: as InputIds'.
  Admitter(InputKind kind, LoadState load, uint64_t expected_events = 0, SpillOptions spill = {})
      : kind_(kind), ids_(kind, expected_events, std::move(spill)), load_(std::move(load)) {}

  // Decides event number `number` (1-based), whose content passed step 1,
  // given the log's record under its id (`prior`). On kNew the case's state
  // has moved past it. An error status only when the look-up, reading a
  // case's state or the input's spilled ids (InputIds) failed.
  [[nodiscard]] absl::StatusOr<Admission> Admit(uint64_t number, const v1::Event& event,
                                                const EventContent& content,
                                                const absl::StatusOr<StoredRecord>& prior);

  // For kBatch: the state of `case_id` past every event admitted as new so
  // far, moved out (the admitter forgets the case); nullopt when no event of
  // the case was admitted as new, so that its state was never loaded. For a
  // caller that keeps the state after appending (EventLog's cache), instead
  // of copying it in and applying the events again.
  // REQUIRES: kind is kBatch (a kFile state lacks the file's own ids).
  [[nodiscard]] std::optional<CaseState> TakeState(const std::string& case_id);

  // A hint that Admit will soon be called for `content`'s event: a file's
  // ids are a table of ~34 MB, and Check's probe then Remember's store into
  // it were two cache misses an event, ~6% of an import's samples. Changes
  // no answer; content as AdmitContent made it.
  void Prefetch(const EventContent& content) const { ids_.Prefetch(content); }

 private:
  const InputKind kind_;
  InputIds ids_;
  LoadState load_;
  // For kFile a case's state holds the ids of its events in the log only:
  // those of the file are in ids_ with their case (a state of every id met
  // was ~20 bytes an event, 1.3 GB at 50 million).
  absl::flat_hash_map<std::string, CaseState> cases_;
};

}  // namespace carelog

#endif  // CARELOG_ENGINE_ADMISSION_H_
