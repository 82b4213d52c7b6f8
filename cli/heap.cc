#include "cli/heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace modelseal::cli {
namespace {

// A command that checks a cached model or signs a small one spends most of
// its life faulting in fresh memory: on the virtual machines measured in
// docs/benchmarks.md one 4 KiB page fault costs ~13 us, against ~0.3 us per
// 4 KiB when the kernel backs the range with 2 MiB transparent huge pages.
// So the main heap is grown once by kHeapReserve of address space (not of
// memory: untouched pages cost nothing), that range is marked
// MADV_HUGEPAGE, and large buffers are kept on that heap instead of in
// their own mappings.
constexpr std::size_t kHeapReserve = std::size_t{64} << 20;
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kSmallPage = 4096;
constexpr std::size_t kLargeOnHeap = std::size_t{32} << 20;
// MADV_COLLAPSE from <linux/mman.h> (Linux 6.1), which Debian 12's glibc
// headers predate.
constexpr int kMadvCollapse = 25;

}  // namespace

void PrepareHeap() {
  if (mallopt(M_MMAP_THRESHOLD, static_cast<int>(kLargeOnHeap)) != 1 ||
      mallopt(M_TOP_PAD, static_cast<int>(kHeapReserve)) != 1 ||
      mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kHeapReserve)) != 1) {
    return;
  }
  // Only whole, aligned 2 MiB ranges get huge pages, and only if none of
  // their pages is touched before the madvise. So the program break is
  // first moved (address space only; malloc copes with a foreign sbrk) to
  // 4 KiB below a 2 MiB boundary: when malloc then extends the heap, its
  // bookkeeping lands in that last small page and everything from the
  // boundary up is still untouched when it is marked.
  const auto current = reinterpret_cast<std::uintptr_t>(sbrk(0));
  if (current == static_cast<std::uintptr_t>(-1)) return;
  const std::uintptr_t boundary =
      (current + kSmallPage + kHugePage - 1) & ~(kHugePage - 1);
  if (sbrk(static_cast<std::intptr_t>(boundary - kSmallPage - current)) ==
      reinterpret_cast<void*>(-1)) {
    return;
  }
  // An allocation larger than the heap's free top makes malloc extend the
  // heap now, by the request plus M_TOP_PAD. (volatile: the compiler may
  // otherwise drop an unused malloc/free pair.)
  void* volatile grow = std::malloc(kHugePage);
  std::free(grow);
  const auto top = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t end = top & ~(kHugePage - 1);
  if (top != static_cast<std::uintptr_t>(-1) && end > boundary) {
    madvise(reinterpret_cast<void*>(boundary), end - boundary, MADV_HUGEPAGE);
    // Growing the heap wrote malloc's header of the new top chunk 2 MiB
    // past `boundary`, so the first huge range already has a small page (and
    // its page table) and would be faulted in 4 KiB at a time. Collapse it
    // into one huge page now (Linux 6.1+; where unsupported this fails
    // harmlessly).
    madvise(reinterpret_cast<void*>(boundary), kHugePage, kMadvCollapse);
  }
}

}  // namespace modelseal::cli
