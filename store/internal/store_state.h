// What an open store (reader or read-write) knows of its log beyond RocksDB:
// the tail loaded at open, the head published to readers, the problems found
// at open, and the durable head file. Internal to store/: shared by
// event_store.cc (open, append) and event_store_reader.cc (reads).
#ifndef CARELOG_STORE_INTERNAL_STORE_STATE_H_
#define CARELOG_STORE_INTERNAL_STORE_STATE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "store/event_store.h"
#include "store/internal/append_plan.h"
#include "store/internal/durable_head.h"
#include "store/internal/key_ring.h"
#include "store/merkle.h"

namespace carelog {

struct EventStoreReader::State {
  explicit State(std::string dir) : durable_head(std::move(dir)) {}

  // The tail is loaded at open; afterwards it and the version cache are
  // touched only by the commit group's leader (event_store.cc), so they need
  // no lock of their own.
  internal::LogTail tail;
  absl::flat_hash_map<std::string, uint64_t> versions;
  // Set at open when the tree's right edge cannot be loaded; appends and
  // Head() then refuse with it (Verify still runs).
  absl::Status tree_problem;
  // Set at a read-only open when the log visibly lost its end (see
  // LoadTail): Head() refuses with it, Verify says where.
  absl::Status tail_problem;
  // Set once a write or sync of the log has failed. RocksDB's own syncs on
  // close then abort the process (an assertion in its WAL writer), so the
  // destructor skips them: what was acknowledged is already durable.
  std::atomic<bool> write_failed{false};
  // Published copies for readers.
  std::atomic<uint64_t> published_last{0};
  // Signalled after published_last moves (WaitForPosition).
  mutable absl::Mutex follow_mu;
  mutable absl::CondVar follow_cv;
  mutable absl::Mutex head_mu;
  merkle::Frontier published_frontier ABSL_GUARDED_BY(head_mu);
  // The durable head file (head_file.h), checked at open and moved forward
  // by durable appends.
  internal::DurableHead durable_head;
  // The data keys of a sealed store (meta "sealed"); null in a plain one.
  // Set by Load before the store is shared.
  std::unique_ptr<internal::KeyRing> ring;
  // A sealed store opened without its key (StoreOptions::without_master_key):
  // records cannot be read.
  bool sealed_without_key = false;
};

}  // namespace carelog

#endif  // CARELOG_STORE_INTERNAL_STORE_STATE_H_
