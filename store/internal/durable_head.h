// The open store's side of the durable head file (head_file.h): the check
// at open that the log holds everything acknowledged, and moving the file
// forward as appends become durable. Internal to store/.
//
// Commit groups register the head they made durable, then one of them at a
// time writes the latest registered head: a group whose head a later group
// already wrote has nothing left to do, so one write may cover several
// groups, and concurrent callers never move the file back.
#ifndef CARELOG_STORE_INTERNAL_DURABLE_HEAD_H_
#define CARELOG_STORE_INTERNAL_DURABLE_HEAD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "store/event_store.h"
#include "store/head_file.h"

namespace carelog::internal {

class DurableHead {
 public:
  explicit DurableHead(std::string dir) : dir_(std::move(dir)) {}
  DurableHead(const DurableHead&) = delete;
  DurableHead& operator=(const DurableHead&) = delete;

  // Compares the log in `db` (`log_size` records; `log_head` its tree head,
  // nullopt when the tree's right edge is damaged) with `recorded`, the head
  // file's head read before the database was opened: kDataLoss "store DIR is
  // damaged: the log has head ... but its durable head file ... records ..."
  // when the log is shorter or its first recorded->size records differ.
  // With no head file, writes one holding `log_head` (a store written before
  // carelog kept one, or a new store) unless `read_only` or the tree is
  // damaged: kResourceExhausted / kInternal when that write fails.
  // REQUIRES: the store's tail and tree are loaded and nothing has been
  // appended since the open.
  [[nodiscard]] absl::Status CheckAtOpen(rocksdb::DB& db, const std::optional<TreeHead>& recorded,
                                         uint64_t log_size,
                                         const std::optional<TreeHead>& log_head, bool read_only);

  // Records that the log up to `head` is durable and moves the file to the
  // latest such head, unless it already records as many events. Recreates
  // the file, whole, when it was removed while the store was open.
  // kResourceExhausted / kInternal when the file cannot be written, kDataLoss
  // when it is damaged. Thread-safe.
  // REQUIRES: every record up to head.size is durable in the store (synced,
  // or ingested as tables).
  [[nodiscard]] absl::Status Record(const TreeHead& head);

 private:
  const std::string dir_;
  absl::Mutex durable_mu_;
  TreeHead latest_durable_ ABSL_GUARDED_BY(durable_mu_);
  absl::Mutex file_mu_ ABSL_ACQUIRED_AFTER(durable_mu_);
  std::optional<uint64_t> file_size_ ABSL_GUARDED_BY(file_mu_);
  std::unique_ptr<HeadFileWriter> writer_ ABSL_GUARDED_BY(file_mu_);
};

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_DURABLE_HEAD_H_
