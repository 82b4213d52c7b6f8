// Catching the bus error of a read through a mapping of a file that shrank.
//
// A file mapped with mmap() that is truncated by someone else turns reads
// past its new end into SIGBUS. Hashing through mappings avoids copying every
// byte out of the page cache, but modelseal must report a file that changed
// while hashed, never crash on it. The handler below recognises a fault
// inside the current thread's guarded regions and jumps back to
// RunWithMappedReads(); the code between (hash kernels) holds no objects with
// destructors, so nothing is skipped by the jump.
#include <setjmp.h>
#include <signal.h>

#include <cstdint>
#include <mutex>

#include "modelseal/env.h"

namespace modelseal {
namespace {

struct Guard {
  sigjmp_buf jump;
  absl::Span<const MappedRegion* const> regions;
};

thread_local Guard* current_guard = nullptr;
struct sigaction previous_action;

bool InsideGuardedRegion(const Guard& guard, const void* address) {
  const auto* byte = static_cast<const std::uint8_t*>(address);
  for (const MappedRegion* region : guard.regions) {
    if (region == nullptr) continue;
    const absl::Span<const std::uint8_t> bytes = region->bytes();
    if (byte >= bytes.data() && byte < bytes.data() + bytes.size()) return true;
  }
  return false;
}

void OnBusError(int signal_number, siginfo_t* info, void* context) {
  Guard* guard = current_guard;
  if (guard != nullptr && InsideGuardedRegion(*guard, info->si_addr)) {
    siglongjmp(guard->jump, 1);
  }
  // Not ours: behave as if we had never been installed.
  if ((previous_action.sa_flags & SA_SIGINFO) != 0 &&
      previous_action.sa_sigaction != nullptr) {
    previous_action.sa_sigaction(signal_number, info, context);
    return;
  }
  if (previous_action.sa_handler != SIG_DFL &&
      previous_action.sa_handler != SIG_IGN) {
    previous_action.sa_handler(signal_number);
    return;
  }
  signal(SIGBUS, SIG_DFL);
  raise(SIGBUS);
}

void InstallHandler() {
  struct sigaction action = {};
  action.sa_sigaction = OnBusError;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGBUS, &action, &previous_action);
}

}  // namespace

absl::Status RunWithMappedReads(absl::Span<const MappedRegion* const> regions,
                                absl::FunctionRef<void()> reader) {
  static std::once_flag installed;
  std::call_once(installed, InstallHandler);
  Guard guard;
  guard.regions = regions;
  if (sigsetjmp(guard.jump, 1) != 0) {
    current_guard = nullptr;
    return absl::DataLossError(
        "file shrank while being read (bus error in its mapping)");
  }
  current_guard = &guard;
  reader();
  current_guard = nullptr;
  return absl::OkStatus();
}

}  // namespace modelseal
