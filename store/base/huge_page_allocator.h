// HugePageAllocator: an allocator for large tables that are probed at
// random (the import's id table). Blocks of 2 MiB or more are mapped
// directly and advised into transparent huge pages, so that a table of tens
// of megabytes costs a few dozen page faults and TLB entries rather than
// thousands; smaller blocks come from operator new. Where the kernel gives
// no huge pages (THP "never"), the advice is ignored and the block is
// ordinary anonymous memory. Stateless; thread-safe as mmap is.
#ifndef CARELOG_STORE_BASE_HUGE_PAGE_ALLOCATOR_H_
#define CARELOG_STORE_BASE_HUGE_PAGE_ALLOCATOR_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>

namespace carelog {

template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;
  static constexpr size_t kHugePage = size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: allocator rebinding

  // Throws std::bad_alloc when no memory is left (std::bad_array_new_length
  // for a size past memory), as std::allocator does.
  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return static_cast<T*>(::operator new(bytes));
    void* p = ::mmap(nullptr, Rounded(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    (void)::madvise(p, Rounded(bytes), MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) {
      ::operator delete(p);
      return;
    }
    ::munmap(p, Rounded(bytes));
  }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
  template <typename U>
  bool operator!=(const HugePageAllocator<U>&) const { return false; }

 private:
  static size_t Rounded(size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }
};

}  // namespace carelog

#endif  // CARELOG_STORE_BASE_HUGE_PAGE_ALLOCATOR_H_
