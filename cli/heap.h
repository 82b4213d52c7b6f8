// Start-up tuning of the process heap for the modelseal command.
//
//   int main(...) { modelseal::cli::PrepareHeap(); ... }
//
// Call once, first thing in main, before threads start. Best effort: it
// changes only how fast memory is faulted in, never what the program does,
// and silently does nothing where the kernel or allocator disagree.
#ifndef MODELSEAL_CLI_HEAP_H_
#define MODELSEAL_CLI_HEAP_H_

namespace modelseal::cli {

void PrepareHeap();

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_HEAP_H_
