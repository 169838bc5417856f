// store/base/errno_status.h: failed system calls as statuses.
#include "store/base/errno_status.h"

#include "gtest/gtest.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace carelog {
namespace {

TEST(ErrnoStatusTest, DiskFullIsResourceExhaustedWithTheHint) {
  const absl::Status s = ErrnoStatus("writing f", ENOSPC);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), absl::StrCat("writing f: ", std::strerror(ENOSPC), " (disk full)"));
  const absl::Status q = ErrnoStatus("syncing f", EDQUOT, "disk full: free space");
  EXPECT_EQ(q.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(q.message(),
            absl::StrCat("syncing f: ", std::strerror(EDQUOT), " (disk full: free space)"));
}

TEST(ErrnoStatusTest, AnythingElseIsInternal) {
  const absl::Status s = ErrnoStatus("opening f", ENOENT);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), absl::StrCat("opening f: ", std::strerror(ENOENT)));
}

}  // namespace
}  // namespace carelog
