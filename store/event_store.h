// EventStore: an append-only log of opaque records in RocksDB, with a
// gap-free global position, per-stream versions, idempotency by record id and
// optimistic concurrency. It knows bytes and keys, nothing of social work: a
// "stream" is a case, a "record id" an eventId, but the store does not care.
//
// Two types: EventStoreReader reads (a query opens one, read-only, beside a
// process that may hold the store); EventStore is a reader that appends.
//
// Thread safety: an open store may be used from any number of threads.
// Concurrent Append calls are group-committed: one leader writes the batches of
// every waiting writer in one RocksDB write (and one fsync when sync is on).
#ifndef CARELOG_STORE_EVENT_STORE_H_
#define CARELOG_STORE_EVENT_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/base/clock.h"
#include "store/record_format.h"

namespace rocksdb {
class DB;
class Env;
}  // namespace rocksdb

namespace carelog {

class SecretKey;  // store/sealing.h

namespace internal {
class StoreInternals;
struct AppendMode;
struct BulkStage;
}  // namespace internal

struct StoreOptions {
  bool create_if_missing = true;
  // fsync the write-ahead log before an append is acknowledged.
  bool sync = true;
  // Not owned; nullptr means SystemClock(). Must outlive the store.
  Clock* clock = nullptr;
  // Not owned; nullptr means rocksdb::Env::Default(). For fault injection.
  rocksdb::Env* env = nullptr;
  // Not owned; must outlive the store. Encryption at rest (issue 19): a
  // store whose log is empty, opened read-write with a master key, becomes
  // sealed — every payload from then on is sealed under its stream's data
  // key, wrapped by this key (record_format.cc, store/internal/key_ring.h).
  // Readers return payloads opened. A sealed store refuses to open without
  // its master key (kFailedPrecondition) or with another
  // (kPermissionDenied, both key ids named); a plain store with records
  // refuses a master key (kFailedPrecondition: it would stay plain).
  const SecretKey* master_key = nullptr;
  // Opens a sealed store without its master key, for what needs none:
  // verify, the head, consistency proofs, a backup's and a restore's checks.
  // Reading a record then fails with kFailedPrecondition. Read-only opens only.
  bool without_master_key = false;
  // The block cache, which also holds every table's index and filter blocks
  // (level 0's pinned there). 256 MiB keeps one case's query under a
  // millisecond at 50 million events; a bulk import, which reads little but
  // ingests many tables whose blocks would fill it, needs far less
  // (README "Performance", target 4).
  size_t block_cache_bytes = size_t{256} << 20;
};

// A record to append. `payload` is compared byte for byte for idempotency, so
// callers must serialize deterministically.
struct NewRecord {
  std::string stream;
  std::string id;
  std::string payload;
};

struct AppendRequest {
  std::vector<NewRecord> records;
  // stream -> the version the caller last saw (0 = stream must not exist
  // yet). A stream absent here is not checked.
  absl::flat_hash_map<std::string, uint64_t> expected_versions;
  // Overrides StoreOptions::sync for this append when set.
  std::optional<bool> sync;
  // For a caller that looked every record's id up itself (Lookup) and found
  // none in the log (a record may still repeat an earlier one of this
  // request): the LastPosition() it read before those look-ups. If the log
  // still ends there when the request is planned, nothing was stored since
  // and the store reads no id index for it (it still checks ids against
  // earlier records of the same commit group); otherwise it checks every id
  // itself, so a wrong guess costs a read, never a duplicate. This is how an
  // event over gRPC costs one id look-up (engine/admission.h), not two.
  std::optional<uint64_t> ids_absent_at;
  // Settings (name, value) written in the same atomic write as the records,
  // when the request commits: e.g. a setting and the record of its change
  // (projections/settings_log.h), so that a crash cannot keep one without the
  // other. A refused request writes none of them. Not through a BulkLoader
  // (kInvalidArgument): a bulk load bypasses the write that carries them.
  std::vector<std::pair<std::string, std::string>> settings;
};

// The Merkle tree head of the log (see merkle.h): the root of its first
// `size` records.
struct TreeHead {
  uint64_t size = 0;
  Hash256 root{};
};

// What Verify found. `ok` false names the first broken thing: `position` is
// the log position it concerns (for an index entry or tree node that belongs
// to no record, the position it points at or would complete; 0 when there is
// none) and `problem` says what is wrong.
struct VerifyReport {
  bool ok = true;
  uint64_t events = 0;  // records checked
  uint64_t position = 0;
  std::string problem;
  TreeHead head;  // recomputed from the records (meaningful when ok)
  // The durable head file's head (head_file.h) that the log was checked to
  // extend; nullopt when the store has no head file.
  std::optional<TreeHead> durable_head;
};

struct AppendResult {
  // One per request record, in order: where it is in the log.
  std::vector<uint64_t> positions;
  // One per request record: true if it was already in the log (idempotent
  // retry) and nothing was written for it.
  std::vector<bool> already_present;
  // stream -> its version after this append.
  absl::flat_hash_map<std::string, uint64_t> stream_versions;
  uint64_t appended = 0;
};

// The read-only side of a store: reads, proofs, the head and verify. What a
// query opens (EventStoreReader::Open), and what an EventStore is as well:
// anything that only reads takes an EventStoreReader. Like Trillian's
// ReadOnlyLogStorage beside LogStorage, a reader has no way to append, so a
// command that only answers questions cannot write to the log.
class EventStoreReader {
 public:
  // Opens the store in `dir` read-only, alongside a process that may hold it
  // read-write. Failures: kNotFound "no store at DIR"; otherwise as
  // EventStore::Open. A store whose log visibly lost its end or whose tree
  // is damaged still opens (Head() refuses, Verify says where), so that it
  // can be verified; options.create_if_missing is not used.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<EventStoreReader>> Open(
      const std::string& dir, const StoreOptions& options = {});

  virtual ~EventStoreReader();
  EventStoreReader(const EventStoreReader&) = delete;
  EventStoreReader& operator=(const EventStoreReader&) = delete;

  // One stream's records with version >= from_version, in version order.
  // kDataLoss if a record is corrupt or the index disagrees with the log.
  [[nodiscard]] absl::StatusOr<std::vector<StoredRecord>> ReadStream(
      std::string_view stream, uint64_t from_version = 1) const;

  // Calls fn for every record with position >= from, in position order, until
  // fn returns false. Sees a consistent snapshot taken at the call.
  // kDataLoss on a corrupt record or a gap in positions.
  [[nodiscard]] absl::Status ScanLog(uint64_t from,
                                     const std::function<bool(const StoredRecord&)>& fn) const;

  // The record at `position`: kNotFound past the end, kDataLoss if corrupt.
  [[nodiscard]] absl::StatusOr<StoredRecord> ReadPosition(uint64_t position) const;

  // The record with this id: kNotFound if none.
  [[nodiscard]] absl::StatusOr<StoredRecord> Lookup(std::string_view id) const;

  // Every stream name, in bytewise order. Streams whose name starts with '$'
  // are system streams (e.g. the service's access log "$access/<case>"), not
  // cases: they are left out unless include_system. Erased streams
  // (EventStore::Erase) are always left out: ErasedStreams lists them.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> Streams(
      bool include_system = false) const;

  // The streams erased by EventStore::Erase, in bytewise order (none in a
  // plain store). Their records still read (ReadStream, ScanLog, ...), with
  // StoredRecord::erased set and no payload. kDataLoss for a malformed
  // marker; kInternal on I/O.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> ErasedStreams() const;

  // The last position in the log (0 when empty).
  uint64_t LastPosition() const;
  // Blocks until LastPosition() > after or `timeout` passes; returns
  // LastPosition(). Every record up to the returned position is readable
  // (ScanLog). For followers of the log (the gRPC Subscribe).
  uint64_t WaitForPosition(uint64_t after, absl::Duration timeout) const;
  // The stream's current version (0 when it has no records).
  [[nodiscard]] absl::StatusOr<uint64_t> StreamVersion(std::string_view stream) const;

  // Tamper evidence (see merkle.h and record_format.cc).
  // The tree head after the last acknowledged append. kDataLoss when the
  // stored right edge of the tree is damaged, or the end of the log was
  // visibly cut off (Verify says where);
  // kFailedPrecondition for a store written before the tree existed, opened
  // read-only.
  [[nodiscard]] absl::StatusOr<TreeHead> Head() const;
  // The root of the tree of the first `size` records (size <= LastPosition()).
  [[nodiscard]] absl::StatusOr<Hash256> RootAt(uint64_t size) const;
  // RFC 9162 inclusion proof of the record at `position` in the tree of
  // `tree_size` (0 = the current size): the audit path, leaf sibling first.
  // Leaf index = position - 1. kInvalidArgument unless
  // 1 <= position <= tree_size <= LastPosition().
  [[nodiscard]] absl::StatusOr<std::vector<Hash256>> InclusionProof(uint64_t position,
                                                                    uint64_t tree_size = 0) const;
  // RFC 9162 consistency proof that the tree of `new_size` extends the tree
  // of `old_size`. kInvalidArgument unless old_size <= new_size <= LastPosition().
  [[nodiscard]] absl::StatusOr<std::vector<Hash256>> ConsistencyProof(uint64_t old_size,
                                                                      uint64_t new_size) const;
  // Re-reads the whole store (one snapshot) and checks every record
  // (checksum, key == position, gap-free), the hash chain, every stored
  // Merkle subtree hash, every stream and id index entry both ways, and that
  // stream versions are gap-free. Stops at the first problem, in log order;
  // index entries and tree nodes that belong to no record are checked after
  // the log; and that the log extends the durable head file's head (neither
  // shorter nor different). First it checks RocksDB's checksum of every block
  // of every table file and each whole table file's checksum: kDataLoss
  // "store DIR is damaged: a table file ..." when one fails.
  // `progress(done, total)` is called now and then. Any other non-OK status
  // means verify could not run (I/O), not that the log is broken.
  [[nodiscard]] absl::StatusOr<VerifyReport> Verify(
      const std::function<void(uint64_t done, uint64_t total)>& progress = nullptr) const;

  // Small named values kept beside the log (e.g. the default policy pack).
  // GetSetting returns kNotFound when unset.
  [[nodiscard]] absl::StatusOr<std::string> GetSetting(std::string_view name) const;
  // Calls fn(name, value) for every setting whose name starts with `prefix`,
  // in bytewise name order, until fn returns false. kInternal on I/O.
  [[nodiscard]] absl::Status ScanSettings(
      std::string_view prefix,
      const std::function<bool(std::string_view name, std::string_view value)>& fn) const;

  // Checkpoints: derived bytes kept beside the log under 'P' keys (e.g. a
  // projection's fold of one case). They are not records: not in the hash
  // chain or tree, and losing one loses nothing the log cannot rebuild. In a
  // sealed store they are sealed too (under the store's checkpoint key), and
  // one that does not open reads as absent.
  // GetCheckpoint returns kNotFound when absent.
  [[nodiscard]] absl::StatusOr<std::string> GetCheckpoint(std::string_view name) const;
  // The named checkpoints (nullopt where absent) and `stream`'s version, all
  // read from one snapshot: a reader that trusts a checkpoint only at the
  // stream's version sees both as of the same moment. kInternal on I/O;
  // StreamVersion's errors.
  struct CheckpointsAt {
    uint64_t stream_version = 0;
    std::vector<std::optional<std::string>> values;  // in the order of `names`
  };
  [[nodiscard]] absl::StatusOr<CheckpointsAt> GetCheckpointsAt(
      std::string_view stream, const std::vector<std::string>& names) const;
  // Calls fn(name, bytes) for every checkpoint whose name starts with
  // `prefix`, in bytewise name order, until fn returns false.
  [[nodiscard]] absl::Status ScanCheckpoints(
      std::string_view prefix,
      const std::function<bool(std::string_view name, std::string_view bytes)>& fn) const;

  // The data key of `stream` (its kSecretKeyBytes raw bytes), for a subject
  // access bundle: it opens the sealed payloads in that stream's proofs, and
  // nothing else, so whoever holds the bundle can check that each entry's
  // text is what the log committed to. kFailedPrecondition for a plain store
  // or one opened without its key, and for an erased stream; kNotFound for a
  // stream without a key. The caller keeps it only as long as it must.
  [[nodiscard]] absl::StatusOr<std::string> DataKeyOf(std::string_view stream) const;

  const std::string& dir() const { return dir_; }
  // Whether the store's payloads are sealed (StoreOptions::master_key),
  // opened with its key or without it.
  bool encrypted() const;

 protected:
  // What an open store knows of its log beyond RocksDB (the tail, the
  // published head): store/internal/store_state.h.
  struct State;
  EventStoreReader(std::string dir, StoreOptions options, bool read_only,
                   std::unique_ptr<rocksdb::DB> db);
  // Opens the database in `dir` for Open: the checks before and at the open
  // (store/internal/open_checks.h); sets *durable to the durable head file's
  // head, read before the open.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenDatabase(
      const std::string& dir, const StoreOptions& options, bool read_only,
      std::optional<TreeHead>* durable);
  // Loads the tail and the tree of the log just opened and checks them
  // against `durable` (internal::DurableHead::CheckAtOpen).
  // REQUIRES: called once, by Open, before the store is shared.
  [[nodiscard]] absl::Status Load(const std::optional<TreeHead>& durable);
  TreeHead PublishedHead() const;

  const std::string dir_;
  const StoreOptions options_;
  const bool read_only_;
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<State> state_;

 private:
  friend class internal::StoreInternals;
  // The steps of Load. REQUIRES: called by Load only.
  absl::Status LoadTail();
  absl::Status LoadTree();
  // Builds the tree of a store written before it existed, then marks it.
  // REQUIRES: read-write, called by LoadTree only.
  absl::Status BuildTree();
  // Checks meta "sealed" against options_.master_key and sets up the key
  // ring (see StoreOptions::master_key). REQUIRES: called by Load only.
  absl::Status LoadSealing();
  // In a sealed store, opens `rec`'s payload in place (keeping the sealed
  // bytes in rec->sealed_payload); nothing in a plain one. kFailedPrecondition
  // when the stream's data key was destroyed; kDataLoss when the payload does
  // not authenticate.
  absl::Status Unseal(StoredRecord* rec) const;
  // A checkpoint's stored bytes, opened in a sealed store; nullopt when they
  // cannot be (no key, damaged): a checkpoint is rebuilt from the log, so one
  // that does not open counts as absent.
  std::optional<std::string> OpenCheckpoint(std::string_view name, std::string value) const;
};

class BulkLoader;

// Re-wraps every data key of the sealed store in `dir` from the master key
// `current` to `next`, and names `next` in its marker, in one synced write:
// a crash leaves the store under one key or the other, never a mix. The
// store is opened read-write (so no other process holds it) and closed.
// Failures: EventStore::Open's (kPermissionDenied when `current` is not the
// store's key); kFailedPrecondition for a plain store; kPermissionDenied /
// kDataLoss naming a data key that does not unwrap under `current` (then
// nothing is written). After it, only `next` opens the store — and every
// backup taken before it still needs `current`: destroying `current` makes
// those backups unreadable (README, "Encryption at rest").
[[nodiscard]] absl::Status RotateMasterKey(const std::string& dir, const SecretKey& current,
                                           const SecretKey& next);

// A store open for reading and appending: one process at a time.
class EventStore : public EventStoreReader {
 public:
  // Opens (or, with create_if_missing, creates) the store in `dir`.
  // Failures: kFailedPrecondition "not a carelog store" for a directory that
  // holds something else, or a store of a newer format version; kUnavailable
  // "store in use by ..." when another process holds it; kInternal for I/O;
  // kDataLoss "store DIR is damaged: ...; restore from backup" when RocksDB
  // finds a damaged file (a bad record inside the write-ahead log, a damaged
  // MANIFEST or table) or when the log is shorter than, or differs from, the
  // durable head file (head_file.h: the head of the last acknowledged durable
  // append), with both heads in the message. After an unclean shutdown a
  // read-write open first checks read-only, so a damaged store is refused
  // unchanged.
  //
  // Durability: an append made with sync (the default), a bulk append that
  // was ingested as tables, and Sync() each replace the durable head file
  // before they return.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<EventStore>> Open(
      const std::string& dir, const StoreOptions& options = {});

  ~EventStore() override;

  // Appends every record atomically (one RocksDB WriteBatch) or none.
  // Each new record gets the next global position, recorded_at from the
  // clock and its stream's next version. A record whose id is already in the
  // log (or earlier in this request) with the same stream and payload is
  // skipped and reports its original position.
  // Failures (nothing appended): kAborted when an expected version does not
  // match; kAlreadyExists when an id is reused with other content;
  // kInvalidArgument for an empty stream or id; kUnavailable while a bulk
  // load is open (BeginBulkLoad); kInternal / kResourceExhausted when the
  // write fails.
  [[nodiscard]] absl::StatusOr<AppendResult> Append(AppendRequest request);

  // Makes the caller the store's only writer until the returned handle is
  // destroyed (store/bulk_loader.h): first waits for appends already queued
  // to be written; from then on Append refuses (kUnavailable), so ids the
  // holder looks up stay absent unless the holder itself appends them.
  // kFailedPrecondition while another bulk load is open. The store must
  // outlive the handle. Thread-safe.
  [[nodiscard]] absl::StatusOr<std::unique_ptr<BulkLoader>> BeginBulkLoad();

  // Makes every acknowledged append durable (fsyncs the write-ahead log) and
  // records the head in the durable head file.
  [[nodiscard]] absl::Status Sync();

  // Erasure by crypto-shredding (issue 19). Appends `record` — the erasure's
  // own record, in a stream other than `stream` — and marks `stream` erased
  // in the same synced write; then destroys the stream's data key and the
  // checkpoints named in `checkpoints` so that no copy of either is left in
  // any file of the store (store/internal/shred.h, erasure.h). From then on
  // the stream's records read back erased (StoredRecord::erased: no
  // payload), Streams() leaves it out, and an append to it is refused with
  // kFailedPrecondition. The chain, the tree, Verify and every proof, old or
  // new, are unchanged: they commit to the sealed bytes, which stay.
  // Failures: kFailedPrecondition for a plain store (migrate it first) or a
  // stream already erased; kNotFound for a stream with no records;
  // kInvalidArgument when `record` is in `stream`; Append's for the record
  // (then nothing changed). A failure while shredding leaves the stream
  // erased and its key perhaps still in files: the next read-write open
  // finishes the shredding (so does a crash). Returns the record's append
  // result. Thread-safe; readers holding a snapshot open keep what it sees
  // until they release it.
  [[nodiscard]] absl::StatusOr<AppendResult> Erase(std::string_view stream, NewRecord record,
                                                   std::vector<std::string> checkpoints);

  [[nodiscard]] absl::Status PutSetting(std::string_view name, std::string_view value);
  // Writes every (name, bytes) pair in one atomic batch, synced like an
  // append.
  [[nodiscard]] absl::Status PutCheckpoints(
      const std::vector<std::pair<std::string, std::string>>& entries);

 private:
  friend class BulkLoader;
  // A BulkLoader's appends (internal::AppendMode says what they may skip).
  absl::StatusOr<AppendResult> Append(AppendRequest request, const internal::AppendMode& mode);
  void EndBulkLoad();
  // A BulkLoader's staged groups (BulkLoader::Stage / Commit): planned after
  // `stage`'s tail and written to its tables; nothing reaches the log until
  // CommitStaged ingests them all. REQUIRES: the bulk load is open and its
  // holder appends nothing else meanwhile (the store's tail must not move).
  absl::StatusOr<AppendResult> StageBulk(const AppendRequest& request,
                                         const internal::AppendMode& mode,
                                         internal::BulkStage& stage);
  absl::Status CommitStaged(internal::BulkStage& stage);
  // Readers see the log up to st.tail from here on.
  void PublishTail();

  struct Writer;
  // The queue of appenders and what only the commit group's leader touches.
  struct Writes;
  EventStore(std::string dir, StoreOptions options, std::unique_ptr<rocksdb::DB> db);
  // Plans, writes and publishes one commit group (see event_store.cc). Sets
  // *durable_head to the group's head when the group appended records and is
  // durable once written (synced, or ingested as tables).
  // REQUIRES: called by the group's leader only, without writes_->mu held.
  absl::Status CommitGroup(std::vector<Writer*>& group, std::optional<TreeHead>* durable_head);

  Clock* clock_;
  std::unique_ptr<Writes> writes_;
};

}  // namespace carelog

#endif  // CARELOG_STORE_EVENT_STORE_H_
