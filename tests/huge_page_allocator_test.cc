// store/base/huge_page_allocator.h: large blocks mapped and advised into
// huge pages, small ones from operator new, both usable as ordinary memory.
#include "store/base/huge_page_allocator.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace carelog {
namespace {

// The VmFlags of the mapping of /proc/self/smaps that holds `p`, or "" when
// none does.
std::string VmFlagsOf(const void* p) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    // A mapping's first line: "start-end perms offset dev inode path".
    const std::vector<std::string> range = absl::StrSplit(line.substr(0, line.find(' ')), '-');
    uint64_t lo = 0, hi = 0;
    if (range.size() == 2 && absl::SimpleHexAtoi(range[0], &lo) && absl::SimpleHexAtoi(range[1], &hi)) {
      inside = at >= lo && at < hi;
      continue;
    }
    if (inside && absl::StartsWith(line, "VmFlags:")) return line;
  }
  return "";
}

TEST(HugePageAllocatorTest, ALargeTableIsAdvisedIntoHugePagesAndHoldsWhatIsPut) {
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good()) {
    GTEST_SKIP() << "this kernel has no transparent huge pages: the advice is refused";
  }
  std::vector<uint64_t, HugePageAllocator<uint64_t>> big;
  big.resize((size_t{3} << 20) / sizeof(uint64_t) + 7);  // over one huge page, not a multiple
  for (size_t i = 0; i < big.size(); ++i) big[i] = i * 0x9e3779b97f4a7c15ULL;
  for (size_t i = 0; i < big.size(); i += 4099) ASSERT_EQ(big[i], i * 0x9e3779b97f4a7c15ULL);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.data()) % 4096, 0u);
  // "hg": the kernel's mark for MADV_HUGEPAGE (whether it then finds huge
  // pages to give is its own business).
  const std::string flags = VmFlagsOf(big.data());
  ASSERT_FALSE(flags.empty());
  EXPECT_TRUE(absl::StrContains(flags, " hg")) << flags;
}

TEST(HugePageAllocatorTest, SmallBlocksAreOrdinaryHeapMemory) {
  std::vector<uint64_t, HugePageAllocator<uint64_t>> small(1000, 42);
  EXPECT_EQ(small[999], 42u);
  const std::string flags = VmFlagsOf(small.data());
  EXPECT_FALSE(absl::StrContains(flags, " hg")) << flags;
}

// The id table's use (a hash map through every size, its blocks handed
// back to the allocator that made them) is SpilledIdSetTest's.

}  // namespace
}  // namespace carelog
