#include "store/bulk_loader.h"

#include "store/internal/append_plan.h"
#include "store/internal/bulk_ingest.h"

namespace carelog {
namespace {

absl::Status StagedPending() {
  return absl::FailedPreconditionError(
      "this bulk load has staged groups: commit them before appending");
}

}  // namespace

BulkLoader::BulkLoader(EventStore* store)
    : store_(store), buffers_(std::make_unique<internal::PlanBuffers>()) {}

BulkLoader::~BulkLoader() {
  stage_.reset();  // removes staged files before another load may begin
  store_->EndBulkLoad();
}

absl::StatusOr<AppendResult> BulkLoader::Append(AppendRequest request) {
  if (stage_ != nullptr && !stage_->tables.empty()) return StagedPending();
  internal::AppendMode mode;
  mode.bulk = true;
  mode.buffers = buffers_.get();
  return store_->Append(std::move(request), mode);
}

absl::StatusOr<AppendResult> BulkLoader::AppendNew(AppendRequest request) {
  if (stage_ != nullptr && !stage_->tables.empty()) return StagedPending();
  internal::AppendMode mode;
  mode.bulk = true;
  mode.ids_checked = true;
  mode.buffers = buffers_.get();
  return store_->Append(std::move(request), mode);
}

absl::StatusOr<AppendResult> BulkLoader::Stage(AppendRequest request) {
  if (stage_ == nullptr) stage_ = std::make_unique<internal::BulkStage>(store_->dir());
  internal::AppendMode mode;
  mode.bulk = true;
  mode.ids_checked = true;
  mode.buffers = buffers_.get();
  return store_->StageBulk(request, mode, *stage_);
}

absl::Status BulkLoader::Commit() {
  if (stage_ == nullptr) return absl::OkStatus();
  absl::Status s = store_->CommitStaged(*stage_);
  stage_.reset();
  return s;
}

}  // namespace carelog
