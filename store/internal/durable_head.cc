#include "store/internal/durable_head.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "store/internal/log_reads.h"
#include "store/merkle.h"
#include "store/base/status_macros.h"

namespace carelog::internal {

absl::Status DurableHead::CheckAtOpen(rocksdb::DB& db, const std::optional<TreeHead>& recorded,
                                      uint64_t log_size, const std::optional<TreeHead>& log_head,
                                      bool read_only) {
  if (!recorded.has_value()) {
    // A store written before carelog kept a head file (or a new one): from
    // now on it has one.
    if (read_only || !log_head.has_value()) return absl::OkStatus();
    RETURN_IF_ERROR(WriteHeadFile(dir_, *log_head));
    absl::MutexLock lock(&file_mu_);
    file_size_ = log_head->size;
    return absl::OkStatus();
  }
  {
    absl::MutexLock lock(&file_mu_);
    file_size_ = recorded->size;
  }
  auto lost = [&](const std::string& log_head_text, std::string_view what) {
    return absl::DataLossError(absl::StrCat(
        "store ", dir_, " is damaged: the log has head ", log_head_text,
        " but its durable head file (", kHeadFileName, ") records ", FormatTreeHead(*recorded),
        ", acknowledged earlier: ", std::string(what),
        " (a damaged write-ahead log or MANIFEST, a lost table file, or records removed); "
        "restore from backup (carelog restore)"));
  };
  if (log_size < recorded->size) {
    const std::string text = log_head.has_value()
                                 ? absl::StrCat(log_size, ":", merkle::ToHex(log_head->root))
                                 : absl::StrCat(log_size, " events");
    return lost(text, absl::StrCat(recorded->size - log_size, " acknowledged events are missing"));
  }
  if (!log_head.has_value()) return absl::OkStatus();  // Head() refuses; verify says where
  ASSIGN_OR_RETURN(const Hash256 root,
                   merkle::RootFromSubtrees(recorded->size, TreeReader(&db, nullptr)));
  if (root != recorded->root) {
    return lost(absl::StrCat(recorded->size, ":", merkle::ToHex(root)),
                absl::StrCat("its first ", recorded->size,
                             " events are not the ones that were acknowledged"));
  }
  return absl::OkStatus();
}

absl::Status DurableHead::Record(const TreeHead& head) {
  {
    absl::MutexLock lock(&durable_mu_);
    if (head.size > latest_durable_.size) latest_durable_ = head;
  }
  absl::MutexLock lock(&file_mu_);
  if (file_size_.has_value() && *file_size_ >= head.size) {
    return absl::OkStatus();  // a later group's write covered this one
  }
  TreeHead latest;
  {
    absl::MutexLock l(&durable_mu_);
    latest = latest_durable_;
  }
  if (writer_ == nullptr) {
    auto w = HeadFileWriter::Open(dir_);
    if (w.status().code() == absl::StatusCode::kNotFound) {
      // Removed while the store was open: made again, whole.
      RETURN_IF_ERROR(WriteHeadFile(dir_, latest));
      file_size_ = latest.size;
      return absl::OkStatus();
    }
    if (!w.ok()) return w.status();
    writer_ = *std::move(w);
  }
  RETURN_IF_ERROR(writer_->Update(latest));
  file_size_ = latest.size;
  return absl::OkStatus();
}

}  // namespace carelog::internal
