// The scanner's rule catalog: ids are stable (docs/scan.md lists them with
// their severities); summaries and help may be reworded.
#include <vector>

#include "modelseal/scan.h"

namespace modelseal {

const std::vector<RuleDescription>& ScanRuleCatalog() {
  static const std::vector<RuleDescription>* const kRules = new std::vector<
      RuleDescription>{
      {"scan.pickle.dangerous_import",
       "A pickle imports a module or function known to run code or reach "
       "the system (os, subprocess, builtins.eval, ...).",
       "Do not load the file. Convert trusted weights to safetensors."},
      {"scan.pickle.import",
       "A pickle imports something outside the allow-list of tensor "
       "checkpoint imports.",
       "Loading the file runs that import. Review where it comes from; "
       "prefer safetensors, or torch.load(weights_only=True)."},
      {"scan.pickle.attribute_chain",
       "A pickle import names a dotted or dunder attribute, reaching past "
       "the module it names.",
       "No checkpoint needs this; treat the file as hostile."},
      {"scan.pickle.dynamic_global",
       "STACK_GLOBAL imports a name computed at load time, which cannot "
       "be checked.",
       "The scan fails closed; treat the file as hostile."},
      {"scan.pickle.extension",
       "A pickle imports through the copyreg extension registry (EXT1/2/4).",
       "The target cannot be resolved statically; the scan fails closed."},
      {"scan.pickle.malformed",
       "A pickle cannot be parsed to its end (truncated, unknown opcode, "
       "stack underflow, missing memo entry).",
       "What follows the error was not checked; regenerate the file from a "
       "trusted source."},
      {"scan.pickle.trailing_data",
       "Bytes after a pickle's STOP are not another pickle.",
       "Loaders stop before them; check why the file carries extra data."},
      {"scan.zip.malformed",
       "A zip archive's directory or a member header cannot be read.",
       "Its members could not all be checked; rebuild the archive."},
      {"scan.zip.duplicate_name",
       "Two zip members share a name; different readers pick different "
       "ones.",
       "Rebuild the archive with unique names."},
      {"scan.zip.overlap",
       "Zip members overlap in the file (a zip bomb or a parser confusion "
       "trick).",
       "Treat the archive as hostile."},
      {"scan.zip.unsupported_method",
       "A zip member uses a compression method the scanner cannot read.",
       "The member was not checked; re-zip with stored or deflate."},
      {"scan.tar.malformed", "A tar archive's headers cannot be read.",
       "Its members could not all be checked."},
      {"scan.wrapper.unexpected",
       "A model file is wrapped in gzip, bzip2, xz or zstd compression "
       "(warning).",
       "Loaders do not read compressed weights; find out what unpacks it. "
       "The contents were scanned."},
      {"scan.wrapper.malformed", "Compressed data is corrupt or truncated.",
       "The rest of it was not checked."},
      {"scan.container.unsupported", "An archive the scanner cannot open (7z).",
       "Unpack it and scan the contents."},
      {"scan.limit",
       "A bound of limits.h was reached (nesting, member count, "
       "decompression bomb, pickle stack or memo size, header sizes).",
       "The part past the bound was not checked; the scan fails closed."},
      {"scan.safetensors.header",
       "A safetensors header length, encoding or JSON is invalid (100 MB "
       "bound, UTF-8, an object without duplicate keys).",
       "Loaders reject or misread the file; regenerate it."},
      {"scan.safetensors.tensor",
       "A safetensors tensor entry is invalid (fields, dtype, shape, "
       "data_offsets not matching shape x dtype).",
       "Loaders reject or misread the file; regenerate it."},
      {"scan.safetensors.layout",
       "safetensors tensors leave gaps, overlap, or leave bytes after the "
       "last one (a polyglot).",
       "Regenerate the file; check what the extra bytes are."},
      {"scan.safetensors.metadata",
       "safetensors __metadata__ is not a map of strings to strings.",
       "Regenerate the file."},
      {"scan.gguf.header", "A GGUF header is invalid or truncated.",
       "Loaders reject or misread the file."},
      {"scan.gguf.metadata",
       "GGUF metadata is invalid (value types, string or array sizes, "
       "duplicate keys, alignment).",
       "Loaders reject or misread the file."},
      {"scan.gguf.tensor",
       "A GGUF tensor info is invalid (dimensions, ggml type, size, "
       "alignment).",
       "Loaders reject or misread the file."},
      {"scan.gguf.layout",
       "GGUF tensor data runs past the file or overlaps another tensor.",
       "Loaders read out of bounds or misread the file."},
      {"scan.gguf.chat_template",
       "A GGUF chat template reaches for Python internals (Jinja template "
       "injection).",
       "Do not render the template; treat the file as hostile."},
      {"scan.numpy.object_dtype",
       "A NumPy array has an object dtype, stored as a pickle.",
       "Loading it needs allow_pickle=True; store numeric arrays only."},
      {"scan.numpy.malformed", "A NumPy .npy header is invalid.",
       "Regenerate the file."},
      {"scan.keras.lambda",
       "A Keras model has a Lambda layer or function (Python bytecode).",
       "It runs when the model is loaded without safe_mode."},
      {"scan.keras.module", "A Keras config imports a module outside keras.*.",
       "Loading the model runs that module's code."},
      {"scan.keras.malformed", "A Keras model config cannot be parsed.",
       "It could not be checked."},
      {"scan.json.malformed", "config.json is not valid JSON (warning).",
       "It could not be checked for auto_map."},
      {"scan.remote_code.auto_map",
       "config.json has an auto_map: the model ships Python code "
       "(warning).",
       "Loading it with trust_remote_code=True runs that code; review it."},
      {"scan.remote_code.python",
       "The model contains a Python source file (warning).",
       "Loaders run it with trust_remote_code=True; review it."},
      {"scan.file.special",
       "A symlink, FIFO, socket or device inside a scanned folder.",
       "It was not followed or read; replace it with a regular file."},
  };
  return *kRules;
}

}  // namespace modelseal
