// The data keys of an encrypted store (issue 19): one per stream, kept
// wrapped under the master key in 'K' keys (grammar in record_format.cc; the
// wrapped form in master_key.h), never in clear. A KeyRing hands out a
// stream's key to seal or open its payloads, creating it on the stream's
// first record; RewrapDataKeys is `keys rotate`; destroying a stream's 'K'
// key (ShredRanges over DataKeyRange) is what makes its payloads unreadable
// for ever — crypto-shredding.
//
// Not yet used by the log: see ARCHITECTURE.md, "Planned: store format 2".
#ifndef CARELOG_STORE_INTERNAL_KEY_RING_H_
#define CARELOG_STORE_INTERNAL_KEY_RING_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
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
  // The pointer stays valid until Forget(stream) or the ring's end. Not
  // thread-safe: the store's single writer (or a reader's own ring) calls it.
  [[nodiscard]] absl::StatusOr<const SecretKey*> Find(std::string_view stream);

  // Find, or for a stream without a key a new random key whose wrapped value
  // is Put into *batch: the caller writes it in the same atomic write as the
  // first record it seals, so a key never exists without its records nor a
  // record without its key. A key created here and not yet written is
  // returned again by the next call (the same commit group). The errors of
  // Find other than kNotFound.
  [[nodiscard]] absl::StatusOr<const SecretKey*> FindOrCreate(std::string_view stream,
                                                               rocksdb::WriteBatch* batch);

  // Drops `stream`'s cached key (after its 'K' key is destroyed, or a write
  // that would have created it failed).
  void Forget(std::string_view stream);

 private:
  rocksdb::DB* db_;
  SecretKey master_;
  absl::flat_hash_map<std::string, std::unique_ptr<SecretKey>> keys_;
};

// The 'K' key of `stream`, and the range ShredRanges takes to destroy it.
std::string DataKeyKey(std::string_view stream);
KeyRange DataKeyRange(std::string_view stream);

struct RewrapReport {
  uint64_t keys = 0;  // data keys re-wrapped
};

// `keys rotate`: re-wraps every data key from `current` to `next` in one
// synced write, so that a crash leaves all keys under one master or the
// other, never a mix. Nothing is written unless every key unwraps under
// `current` first: kPermissionDenied / kDataLoss as Find, naming the
// stream. Writers of new streams must be kept out while it runs (the store
// holds its write lock).
[[nodiscard]] absl::StatusOr<RewrapReport> RewrapDataKeys(rocksdb::DB* db,
                                                          const SecretKey& current,
                                                          const SecretKey& next);

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_KEY_RING_H_
