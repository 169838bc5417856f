// The data keys of an encrypted store (issue 19): one per stream, kept
// wrapped under the master key in 'K' keys (grammar in record_format.cc; the
// wrapped form in master_key.h), never in clear. A KeyRing hands out a
// stream's key to seal or open its payloads, creating it on the stream's
// first record (store/internal/append_plan.cc); readers open payloads with
// it (event_store_reader.cc); RewrapDataKeys is `keys rotate`; destroying a stream's 'K'
// key (ShredRanges over DataKeyRange) is what makes its payloads unreadable
// for ever — crypto-shredding.
//
#ifndef CARELOG_STORE_INTERNAL_KEY_RING_H_
#define CARELOG_STORE_INTERNAL_KEY_RING_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/internal/shred.h"
#include "store/sealing.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace carelog::internal {

class KeyRing {
 public:
  // Over `db` (not owned; must outlive the ring) with the store's master key.
  KeyRing(rocksdb::DB* db, SecretKey master);

  // The data key of `stream`, unwrapped from its 'K' value (then cached).
  // kNotFound "no data key for stream S" when it has none (never written, or
  // destroyed by erasure); kPermissionDenied when another master key wrapped
  // it (both ids named); kDataLoss when its value is damaged or tampered.
  // The pointer stays valid until Forget(stream) or the ring's end.
  // Thread-safe.
  [[nodiscard]] absl::StatusOr<const SecretKey*> Find(std::string_view stream);

  // Find, or for a stream without a key (and not erased) a new random key, *wrapped set to
  // its wrapped value: the caller writes it under DataKeyKey(stream) in the
  // same write as the first record it seals, then calls CommitPending (or
  // DropPending when that write failed, so that no record is ever sealed
  // under a key that was not stored). Until then the same key is returned
  // again with *wrapped left empty (the same commit group). The errors of
  // Find other than kNotFound. REQUIRES: one caller at a time (the store's
  // commit leader).
  [[nodiscard]] absl::StatusOr<const SecretKey*> FindOrCreate(std::string_view stream,
                                                               std::string* wrapped);
  void CommitPending();
  void DropPending();

  // The payload `sealed` of record `id` of `stream`, opened under the
  // stream's key (OpenPayload). kFailedPrecondition "the data key of stream
  // 'S' is destroyed: ..." when the stream has no key; Find's other errors;
  // kDataLoss when the payload does not authenticate. Thread-safe.
  [[nodiscard]] absl::StatusOr<std::string> Open(std::string_view stream, std::string_view id,
                                                 std::string_view sealed);

  // Drops `stream`'s cached key (after its 'K' key is destroyed).
  void Forget(std::string_view stream);

  // Erased streams (store/internal/erasure.h): their records read back
  // erased, and FindOrCreate refuses them (kFailedPrecondition "stream 'S'
  // is erased ..."), so nothing is ever sealed under a key about to be
  // destroyed nor under a new one. MarkErased leaves a cached key in memory
  // until the ring's end (a reader on another thread may still hold its
  // pointer); nothing reaches it, since every use asks IsErased first.
  // Thread-safe.
  void MarkErased(std::string_view stream);
  bool IsErased(std::string_view stream);

  const SecretKey& master() const { return master_; }

 private:
  rocksdb::DB* db_;
  const SecretKey master_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<SecretKey>> keys_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> pending_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> erased_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> any_erased_{false};
};

// A payload sealed under its stream's data key, bound to stream and id
// (record_format.cc's grammar), and opened again: kDataLoss "does not
// authenticate" when the bytes, the stream or the id were changed.
[[nodiscard]] absl::StatusOr<std::string> SealPayload(const SecretKey& key,
                                                      std::string_view stream,
                                                      std::string_view id,
                                                      std::string_view payload);
[[nodiscard]] absl::StatusOr<std::string> OpenPayload(const SecretKey& key,
                                                      std::string_view stream,
                                                      std::string_view id,
                                                      std::string_view sealed);

// The data key that seals a sealed store's checkpoints ('P' values; the id
// in their associated data is the checkpoint's name). Not a stream of the
// log: created when the store is first opened read-write with its key.
inline constexpr char kCheckpointKeyStream[] = "$checkpoints";

// The 'K' key of `stream`, and the range ShredRanges takes to destroy it.
std::string DataKeyKey(std::string_view stream);
KeyRange DataKeyRange(std::string_view stream);

struct RewrapReport {
  uint64_t keys = 0;  // data keys re-wrapped
};

// `keys rotate`: puts every data key re-wrapped from `current` to `next`
// into *batch, for the caller to write in one synced write (with the store's
// marker), so that a crash leaves all keys under one master or the other.
// Nothing is put unless every key unwraps under `current`:
// kPermissionDenied / kDataLoss as Find, naming the stream. Writers of new
// streams must be kept out until the batch is written.
[[nodiscard]] absl::StatusOr<RewrapReport> RewrapDataKeys(rocksdb::DB* db,
                                                          const SecretKey& current,
                                                          const SecretKey& next,
                                                          rocksdb::WriteBatch* batch);

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_KEY_RING_H_
