#include "store/bulk_loader.h"

#include "store/internal/append_plan.h"

namespace carelog {

BulkLoader::BulkLoader(EventStore* store)
    : store_(store), buffers_(std::make_unique<internal::PlanBuffers>()) {}

BulkLoader::~BulkLoader() { store_->EndBulkLoad(); }

absl::StatusOr<AppendResult> BulkLoader::Append(AppendRequest request) {
  internal::AppendMode mode;
  mode.bulk = true;
  mode.buffers = buffers_.get();
  return store_->Append(std::move(request), mode);
}

absl::StatusOr<AppendResult> BulkLoader::AppendNew(AppendRequest request) {
  internal::AppendMode mode;
  mode.bulk = true;
  mode.ids_checked = true;
  mode.buffers = buffers_.get();
  return store_->Append(std::move(request), mode);
}

}  // namespace carelog
