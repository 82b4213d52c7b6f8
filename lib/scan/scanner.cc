// The scan driver: opens files, detects each format by content, recurses
// into containers within the limits of limits.h, and runs the per-format
// checks. Everything about contents becomes a finding; only I/O failures of
// the scan itself leave as a status.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "modelseal/limits.h"
#include "modelseal/scan.h"
#include "modelseal/status.h"
#include "scan/detect.h"
#include "scan/formats.h"
#include "scan/io.h"
#include "scan/json.h"
#include "scan/pickle.h"
#include "scan/sink.h"
#include "scan/zip_reader.h"

namespace modelseal {
namespace scan_internal {
namespace {

// Content to scan: random access (a file, a stored zip member, memory) or a
// stream (decompressed data, tar members).
class Input {
 public:
  explicit Input(const Source& source) : source_(&source) {}
  explicit Input(Stream& stream) : stream_(&stream) {}

  // The first bytes, for detection.
  absl::StatusOr<std::string> Head() {
    if (source_ != nullptr) {
      return source_->ReadString(0, limits::kScanSniffBytes);
    }
    if (!head_taken_) {
      MODELSEAL_ASSIGN_OR_RETURN(head_,
                                 ReadUpTo(*stream_, limits::kScanSniffBytes));
      head_taken_ = true;
      prefixed_ = std::make_unique<PrefixedStream>(head_, *stream_);
    }
    return head_;
  }
  bool random_access() const { return source_ != nullptr; }

  // The whole content from its start, as a stream. Call once.
  Stream& AsStream() {
    if (source_ != nullptr) {
      owned_stream_ = std::make_unique<SourceStream>(*source_);
      return *owned_stream_;
    }
    // Head() may have failed before taking anything.
    if (prefixed_ == nullptr) {
      prefixed_ = std::make_unique<PrefixedStream>(head_, *stream_);
    }
    return *prefixed_;
  }
  // Random access, materializing a stream in memory (bounded). A null
  // result with OK status means it was too large (a finding was added).
  absl::StatusOr<const Source*> AsSource(FindingSink& sink,
                                         absl::string_view format) {
    if (source_ != nullptr) return source_;
    absl::StatusOr<std::string> all =
        ReadAll(AsStream(), limits::kMaxScanMaterializedBytes);
    if (!all.ok()) {
      if (!IsContentError(all.status())) return all.status();
      sink.Add("scan.limit", Severity::kError,
               absl::StrCat(format,
                            " content inside a compressed container "
                            "is larger than ",
                            limits::kMaxScanMaterializedBytes,
                            " bytes and was not checked"));
      return nullptr;
    }
    materialized_ = std::make_unique<MemorySource>(*std::move(all));
    return materialized_.get();
  }

 private:
  const Source* source_ = nullptr;
  Stream* stream_ = nullptr;
  bool head_taken_ = false;
  std::string head_;
  std::unique_ptr<PrefixedStream> prefixed_;
  std::unique_ptr<Stream> owned_stream_;
  std::unique_ptr<MemorySource> materialized_;
};

// At most `limit` bytes of another stream (a tar member).
class LimitedStream : public Stream {
 public:
  LimitedStream(Stream& base, std::uint64_t limit)
      : base_(base), left_(limit) {}
  absl::StatusOr<std::size_t> Read(std::uint8_t* out,
                                   std::size_t length) override {
    length = static_cast<std::size_t>(std::min<std::uint64_t>(length, left_));
    if (length == 0) return 0;
    MODELSEAL_ASSIGN_OR_RETURN(std::size_t got, base_.Read(out, length));
    if (got == 0) {
      return absl::InvalidArgumentError("tar member is truncated");
    }
    left_ -= got;
    return got;
  }
  std::uint64_t left() const { return left_; }

 private:
  Stream& base_;
  std::uint64_t left_;
};

struct Context {
  FindingSink& sink;
  ExpansionBudget budget;
};

std::string Short(absl::string_view text) {
  return std::string(text.substr(0, 200));
}

absl::Status ScanContent(Input& input, absl::string_view name,
                         std::size_t depth, bool raw_data_hint, Context& ctx,
                         std::string* format);

// A content error from a stream (corrupt data, a bomb) as a finding.
absl::Status ContentFinding(const absl::Status& status, Context& ctx,
                            absl::string_view what) {
  if (status.ok()) return status;
  if (!IsContentError(status)) return status;
  const bool limit = status.code() == absl::StatusCode::kResourceExhausted;
  ctx.sink.Add(limit ? "scan.limit" : "scan.wrapper.malformed",
               Severity::kError,
               absl::StrCat(what, ": ", status.message(),
                            limit ? "" : "; the rest was not checked"));
  return absl::OkStatus();
}

// --- Pickles ----------------------------------------------------------------

absl::Status ScanPickle(Input& input, std::size_t max_pickles, bool probe_only,
                        Context& ctx, std::string* format) {
  PickleScanOptions options;
  options.max_pickles = max_pickles;
  FindingSink probe_sink = ctx.sink.Fork();
  FindingSink& target = probe_only ? probe_sink : ctx.sink;
  absl::StatusOr<PickleScanResult> result =
      ScanPickleStream(input.AsStream(), options, target);
  if (!result.ok()) {
    if (IsContentError(result.status())) {
      // A decompressor under the pickle failed; the pickle scan saw a
      // truncated stream.
      return ContentFinding(result.status(), ctx, "compressed data");
    }
    return result.status();
  }
  if (probe_only) {
    // No magic: it is a pickle only if it imports something or reaches a
    // STOP; otherwise it is data or text that starts like an opcode.
    if (!result->saw_import && result->pickles == 0) return absl::OkStatus();
    for (Finding& finding : probe_sink.Take()) {
      ctx.sink.Add(std::move(finding.rule), finding.severity,
                   std::move(finding.message), finding.offset);
    }
  }
  *format = max_pickles == 5 ? "pytorch-legacy" : "pickle";
  for (const std::string& import : result->imports) {
    if (absl::StartsWith(import, "joblib.")) *format = "joblib";
  }
  return absl::OkStatus();
}

// --- NumPy .npy
// ---------------------------------------------------------------

absl::Status ScanNumpy(Input& input, Context& ctx) {
  Stream& stream = input.AsStream();
  auto malformed = [&](const std::string& what) {
    ctx.sink.Add("scan.numpy.malformed", Severity::kError,
                 absl::StrCat("NumPy .npy file: ", what), 0);
    return absl::OkStatus();
  };
  absl::StatusOr<std::string> fixed = ReadUpTo(stream, 8);
  if (!fixed.ok()) return ContentFinding(fixed.status(), ctx, "npy");
  if (fixed->size() < 8) return malformed("truncated header");
  const unsigned major = static_cast<unsigned char>((*fixed)[6]);
  std::size_t length_bytes = major == 1                   ? 2
                             : (major == 2 || major == 3) ? 4
                                                          : 0;
  if (length_bytes == 0)
    return malformed(absl::StrCat("unknown version ", major));
  absl::StatusOr<std::string> length_field = ReadUpTo(stream, length_bytes);
  if (!length_field.ok())
    return ContentFinding(length_field.status(), ctx, "npy");
  if (length_field->size() < length_bytes) return malformed("truncated header");
  std::uint64_t header_length = 0;
  for (std::size_t i = length_bytes; i > 0; --i) {
    header_length = (header_length << 8) |
                    static_cast<unsigned char>((*length_field)[i - 1]);
  }
  if (header_length > limits::kMaxScanNumpyHeaderBytes) {
    return malformed("header larger than the limit");
  }
  absl::StatusOr<std::string> header =
      ReadUpTo(stream, static_cast<std::size_t>(header_length));
  if (!header.ok()) return ContentFinding(header.status(), ctx, "npy");
  if (header->size() < header_length) return malformed("truncated header");
  // Object arrays (descr 'O', alone or inside a structured dtype) are stored
  // as a pickle after the header, loaded with allow_pickle=True.
  bool object = false;
  for (std::size_t at = 0;
       (at = header->find('\'', at)) != std::string::npos;) {
    const std::size_t end = header->find('\'', at + 1);
    if (end == std::string::npos) break;
    absl::string_view quoted(header->data() + at + 1, end - at - 1);
    if (!quoted.empty() && (quoted[0] == '|' || quoted[0] == '<' ||
                            quoted[0] == '>' || quoted[0] == '=')) {
      quoted.remove_prefix(1);
    }
    if (quoted == "O" || quoted == "O8" || quoted == "O4") object = true;
    at = end + 1;
  }
  if (!absl::StrContains(*header, "'descr'"))
    return malformed("no 'descr' in header");
  if (!object) return absl::OkStatus();
  ctx.sink.Add("scan.numpy.object_dtype", Severity::kError,
               "NumPy array with an object dtype: it is stored as a pickle "
               "and loading it needs allow_pickle=True (the pickle is "
               "scanned too)",
               0);
  PickleScanOptions options;
  options.max_pickles = 1;
  absl::StatusOr<PickleScanResult> result =
      ScanPickleStream(stream, options, ctx.sink);
  if (!result.ok()) return ContentFinding(result.status(), ctx, "npy");
  return absl::OkStatus();
}

// --- Keras ------------------------------------------------------------------

void CheckKerasConfig(const JsonValue& value, Context& ctx, std::size_t depth) {
  if (depth > limits::kMaxScanJsonDepth) return;
  if (value.type == JsonValue::Type::kObject) {
    const JsonValue* class_name = value.Find("class_name");
    if (class_name != nullptr && class_name->type == JsonValue::Type::kString &&
        (class_name->text == "Lambda" || class_name->text == "__lambda__" ||
         class_name->text == "TFOpLambda")) {
      ctx.sink.Add("scan.keras.lambda", Severity::kError,
                   absl::StrCat("Keras model has a ", class_name->text,
                                " layer or function, which holds Python "
                                "bytecode that runs when the model is "
                                "loaded"));
    }
    const JsonValue* module = value.Find("module");
    if (module != nullptr && module->type == JsonValue::Type::kString &&
        module->text != "keras" && !absl::StartsWith(module->text, "keras.")) {
      ctx.sink.Add(
          "scan.keras.module", Severity::kError,
          absl::StrCat("Keras config imports module '", Short(module->text),
                       "', outside keras.*; loading it runs that "
                       "module's code"));
    }
    for (const auto& [key, member] : value.members) {
      CheckKerasConfig(member, ctx, depth + 1);
    }
  } else if (value.type == JsonValue::Type::kArray) {
    for (const JsonValue& item : value.items) {
      CheckKerasConfig(item, ctx, depth + 1);
    }
  }
}

void CheckKerasJson(absl::string_view text, Context& ctx) {
  absl::StatusOr<JsonValue> json =
      ParseJson(text, limits::kMaxScanJsonDepth, false);
  if (!json.ok()) {
    ctx.sink.Add(
        "scan.keras.malformed", Severity::kError,
        absl::StrCat("Keras model config is not valid JSON (",
                     json.status().message(), "); it cannot be checked"));
    return;
  }
  CheckKerasConfig(*json, ctx, 0);
}

// HDF5 (Keras .h5): the model_config attribute is JSON stored contiguously
// in the root group's object header or its attribute heap; find it by its
// name and take the balanced {...} that follows.
absl::Status ScanHdf5(const Source& source, Context& ctx) {
  const std::uint64_t window =
      std::min<std::uint64_t>(source.size(), std::uint64_t{64} << 20);
  std::string chunk;
  std::uint64_t offset = 0;
  constexpr absl::string_view kName = "model_config";
  while (offset < window) {
    MODELSEAL_ASSIGN_OR_RETURN(chunk, source.ReadString(offset, 1 << 20));
    if (chunk.empty()) break;
    const std::size_t at = chunk.find(kName.data(), 0, kName.size());
    if (at == std::string::npos) {
      if (chunk.size() < (1 << 20)) break;
      offset += chunk.size() - kName.size();
      continue;
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string tail,
        source.ReadString(offset + at, limits::kMaxScanJsonBytes + 4096));
    const std::size_t open = tail.find('{');
    if (open == std::string::npos || open > 4096) {
      ctx.sink.Add("scan.keras.malformed", Severity::kError,
                   "HDF5 file has a model_config attribute the scanner cannot "
                   "read; it cannot be checked",
                   offset + at);
      return absl::OkStatus();
    }
    int level = 0;
    bool in_string = false;
    for (std::size_t i = open; i < tail.size(); ++i) {
      const char c = tail[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') in_string = true;
      if (c == '{') ++level;
      if (c == '}' && --level == 0) {
        CheckKerasJson(absl::string_view(tail).substr(open, i + 1 - open), ctx);
        return absl::OkStatus();
      }
    }
    ctx.sink.Add("scan.keras.malformed", Severity::kError,
                 "HDF5 model_config is not a complete JSON object; it cannot "
                 "be checked",
                 offset + at);
    return absl::OkStatus();
  }
  return absl::OkStatus();
}

// --- JSON (config.json) -----------------------------------------------------

absl::Status ScanJson(Input& input, absl::string_view name, Context& ctx) {
  absl::StatusOr<std::string> text =
      ReadAll(input.AsStream(), limits::kMaxScanJsonBytes);
  if (!text.ok()) {
    if (!IsContentError(text.status())) return text.status();
    return absl::OkStatus();  // a large JSON file is data, not a config
  }
  absl::StatusOr<JsonValue> json =
      ParseJson(*text, limits::kMaxScanJsonDepth, false);
  if (!json.ok()) {
    if (Basename(name) == "config.json") {
      ctx.sink.Add("scan.json.malformed", Severity::kWarning,
                   absl::StrCat("config.json is not valid JSON (",
                                json.status().message(),
                                "); it could not be checked for auto_map"));
    }
    return absl::OkStatus();
  }
  if (json->type == JsonValue::Type::kObject &&
      json->Find("auto_map") != nullptr) {
    ctx.sink.Add("scan.remote_code.auto_map", Severity::kWarning,
                 "the config has an auto_map: loading the model with "
                 "trust_remote_code=True runs Python code shipped with it");
  }
  return absl::OkStatus();
}

// --- Containers -------------------------------------------------------------

bool IsTorchStorageMember(absl::string_view name) {
  // "<archive>/data/<key>": raw tensor bytes, never unpickled by torch.
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  return parts.size() == 3 && parts[1] == "data" && !parts[2].empty();
}

absl::Status ScanZip(const Source& source, std::size_t depth, Context& ctx,
                     std::string* format) {
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<ZipMember> members,
                             ReadZipDirectory(source, ctx.sink));
  bool torch = false, keras_config = false, keras_meta = false;
  bool all_npy = !members.empty();
  for (const ZipMember& member : members) {
    if (member.name == "data.pkl" || absl::EndsWith(member.name, "/data.pkl")) {
      torch = true;
    }
    if (member.name == "config.json") keras_config = true;
    if (member.name == "metadata.json") keras_meta = true;
    if (!absl::EndsWith(member.name, ".npy")) all_npy = false;
  }
  *format = torch                          ? "pytorch-zip"
            : (keras_config && keras_meta) ? "keras"
            : all_npy                      ? "numpy-zip"
                                           : "zip";
  for (const ZipMember& member : members) {
    MemberScope scope(ctx.sink, member.name);
    if (absl::EndsWith(member.name, "/")) continue;  // a directory entry
    ZipMemberReader reader = OpenZipMember(source, member, ctx.budget);
    if (member.method != 0 && reader.stream == nullptr) {
      ctx.sink.Add(
          "scan.zip.unsupported_method", Severity::kError,
          absl::StrCat("zip member uses compression method ", member.method,
                       ", which the scanner cannot read; it was "
                       "not checked"));
      continue;
    }
    std::string inner;
    const bool storage = torch && IsTorchStorageMember(member.name);
    if (*format == "keras" && member.name == "config.json") {
      Input input =
          member.method == 0 ? Input(*reader.range) : Input(*reader.stream);
      absl::StatusOr<std::string> text =
          ReadAll(input.AsStream(), limits::kMaxScanJsonBytes);
      if (!text.ok()) {
        MODELSEAL_RETURN_IF_ERROR(
            ContentFinding(text.status(), ctx, "Keras config.json"));
        continue;
      }
      CheckKerasJson(*text, ctx);
      ctx.sink.SawFormat("json");
      continue;
    }
    if (member.method == 0) {
      Input input(*reader.range);
      MODELSEAL_RETURN_IF_ERROR(
          ScanContent(input, member.name, depth + 1, storage, ctx, &inner));
    } else {
      Input input(*reader.stream);
      MODELSEAL_RETURN_IF_ERROR(
          ScanContent(input, member.name, depth + 1, storage, ctx, &inner));
    }
  }
  return absl::OkStatus();
}

std::uint64_t ParseTarNumber(const char* field, std::size_t size, bool* ok) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(field);
  std::uint64_t value = 0;
  if (bytes[0] & 0x80) {  // GNU base-256
    for (std::size_t i = 1; i < size; ++i) {
      if (value >> 56) {
        *ok = false;
        return 0;
      }
      value = (value << 8) | bytes[i];
    }
    return value;
  }
  std::size_t i = 0;
  while (i < size && field[i] == ' ') ++i;
  for (; i < size && field[i] >= '0' && field[i] <= '7'; ++i) {
    if (value >> 60) {
      *ok = false;
      return 0;
    }
    value = value * 8 + static_cast<std::uint64_t>(field[i] - '0');
  }
  return value;
}

absl::Status ScanTar(Input& input, std::size_t depth, Context& ctx) {
  Stream& stream = input.AsStream();
  std::string long_name;
  for (std::size_t count = 0;; ++count) {
    if (count > limits::kMaxScanArchiveMembers) {
      ctx.sink.Add("scan.limit", Severity::kError,
                   "tar archive has more members than the limit; the rest "
                   "was not checked");
      return absl::OkStatus();
    }
    absl::StatusOr<std::string> header = ReadUpTo(stream, 512);
    if (!header.ok()) return ContentFinding(header.status(), ctx, "tar");
    if (header->size() < 512) {
      if (!header->empty()) {
        ctx.sink.Add("scan.tar.malformed", Severity::kError,
                     "tar archive ends inside a header");
      }
      return absl::OkStatus();
    }
    if (header->find_first_not_of('\0') == std::string::npos) {
      return absl::OkStatus();  // end-of-archive block
    }
    bool ok = true;
    const std::uint64_t size = ParseTarNumber(header->data() + 124, 12, &ok);
    if (!ok) {
      ctx.sink.Add("scan.tar.malformed", Severity::kError,
                   "tar header has an impossible size");
      return absl::OkStatus();
    }
    const char type = (*header)[156];
    std::string name(header->data(), strnlen(header->data(), 100));
    if (std::memcmp(header->data() + 257, "ustar", 5) == 0 &&
        (*header)[345] != '\0') {
      name = absl::StrCat(
          std::string(header->data() + 345, strnlen(header->data() + 345, 155)),
          "/", name);
    }
    if (!long_name.empty()) {
      name = std::move(long_name);
      long_name.clear();
    }
    LimitedStream body(stream, size);
    if (type == 'L') {
      absl::StatusOr<std::string> text = ReadAll(body, 65536);
      if (!text.ok()) return ContentFinding(text.status(), ctx, "tar");
      long_name.assign(text->c_str());
    } else if (type == '0' || type == '\0' || type == '7') {
      MemberScope scope(ctx.sink, name);
      Input member(body);
      std::string inner;
      MODELSEAL_RETURN_IF_ERROR(
          ScanContent(member, name, depth + 1, false, ctx, &inner));
    }
    absl::StatusOr<std::uint64_t> rest = Drain(body);
    if (!rest.ok()) return ContentFinding(rest.status(), ctx, "tar");
    const std::uint64_t padding = (512 - size % 512) % 512;
    absl::StatusOr<std::string> pad =
        ReadUpTo(stream, static_cast<std::size_t>(padding));
    if (!pad.ok()) return ContentFinding(pad.status(), ctx, "tar");
  }
}

absl::Status ScanCompressed(Input& input, Compression compression,
                            absl::string_view wrapper, absl::string_view name,
                            std::size_t depth, Context& ctx,
                            std::string* format) {
  std::unique_ptr<Stream> inflated =
      NewDecompressingStream(compression, input.AsStream(), ctx.budget);
  std::string member(Basename(name));
  for (absl::string_view suffix :
       {".gz", ".z", ".xz", ".bz2", ".zst", ".lzma"}) {
    if (absl::EndsWith(member, suffix)) {
      member.resize(member.size() - suffix.size());
      break;
    }
  }
  if (member.empty() || member == Basename(name)) {
    member = absl::StrCat("(", wrapper, " data)");
  }
  std::string inner;
  {
    MemberScope scope(ctx.sink, member);
    Input content(*inflated);
    MODELSEAL_RETURN_IF_ERROR(
        ScanContent(content, member, depth + 1, false, ctx, &inner));
    // Whatever follows the inner format's end is still decompressed, so a
    // corrupt tail is reported too.
    absl::StatusOr<std::uint64_t> rest = Drain(content.AsStream());
    MODELSEAL_RETURN_IF_ERROR(ContentFinding(rest.status(), ctx, wrapper));
  }
  if (inner == "joblib") {
    *format = "joblib";  // joblib compresses its pickles itself
  } else if (inner != "tar") {
    ctx.sink.Add("scan.wrapper.unexpected", Severity::kWarning,
                 absl::StrCat("a ", wrapper, "-compressed ",
                              inner.empty() ? "file" : inner,
                              ": model loaders do not read compressed "
                              "weights, so something else must unpack it "
                              "(its contents were scanned)"));
  }
  return absl::OkStatus();
}

absl::Status ScanContent(Input& input, absl::string_view name,
                         std::size_t depth, bool raw_data_hint, Context& ctx,
                         std::string* format) {
  *format = "unknown";
  if (depth > limits::kMaxScanContainerDepth) {
    ctx.sink.Add("scan.limit", Severity::kError,
                 absl::StrCat("containers nested deeper than ",
                              limits::kMaxScanContainerDepth,
                              "; this level was not checked"));
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> head = input.Head();
  if (!head.ok()) return ContentFinding(head.status(), ctx, "compressed data");
  const Sniffed sniffed = Sniff(*head, name);
  absl::Status status;
  switch (sniffed) {
    case Sniffed::kSafetensors: {
      *format = "safetensors";
      MODELSEAL_ASSIGN_OR_RETURN(const Source* source,
                                 input.AsSource(ctx.sink, *format));
      if (source != nullptr) status = CheckSafetensors(*source, ctx.sink);
      break;
    }
    case Sniffed::kGguf: {
      *format = "gguf";
      MODELSEAL_ASSIGN_OR_RETURN(const Source* source,
                                 input.AsSource(ctx.sink, *format));
      if (source != nullptr) status = CheckGguf(*source, ctx.sink);
      break;
    }
    case Sniffed::kZip: {
      *format = "zip";
      MODELSEAL_ASSIGN_OR_RETURN(const Source* source,
                                 input.AsSource(ctx.sink, *format));
      if (source != nullptr) status = ScanZip(*source, depth, ctx, format);
      break;
    }
    case Sniffed::kPickle:
    case Sniffed::kMaybePickle:
      *format = "unknown";
      status = ScanPickle(input, 0,
                          sniffed == Sniffed::kMaybePickle || raw_data_hint,
                          ctx, format);
      if (status.ok() && *format == "unknown" && LooksLikeText(*head)) {
        *format = "text";
      }
      break;
    case Sniffed::kPytorchLegacy:
      status = ScanPickle(input, 5, raw_data_hint, ctx, format);
      break;
    case Sniffed::kGzipOrZlib:
      *format = "gzip";
      status = ScanCompressed(input, Compression::kZlibOrGzip, "gzip", name,
                              depth, ctx, format);
      break;
    case Sniffed::kBzip2:
      *format = "bzip2";
      status = ScanCompressed(input, Compression::kBzip2, "bzip2", name, depth,
                              ctx, format);
      break;
    case Sniffed::kXz:
      *format = "xz";
      status = ScanCompressed(input, Compression::kXz, "xz", name, depth, ctx,
                              format);
      break;
    case Sniffed::kZstd:
      *format = "zstd";
      status = ScanCompressed(input, Compression::kZstd, "zstd", name, depth,
                              ctx, format);
      break;
    case Sniffed::k7z:
      *format = "7z";
      ctx.sink.Add("scan.container.unsupported", Severity::kError,
                   "a 7z archive: the scanner cannot look inside it, and no "
                   "model loader reads one; unpack it and scan the contents");
      break;
    case Sniffed::kTar:
      *format = "tar";
      status = ScanTar(input, depth, ctx);
      break;
    case Sniffed::kNumpy:
      *format = "numpy";
      status = ScanNumpy(input, ctx);
      break;
    case Sniffed::kHdf5: {
      *format = "hdf5";
      MODELSEAL_ASSIGN_OR_RETURN(const Source* source,
                                 input.AsSource(ctx.sink, *format));
      if (source != nullptr) status = ScanHdf5(*source, ctx);
      break;
    }
    case Sniffed::kJson:
      *format = "json";
      status = ScanJson(input, name, ctx);
      break;
    case Sniffed::kPython:
      *format = "python";
      ctx.sink.Add("scan.remote_code.python", Severity::kWarning,
                   "a Python source file: loaders run such files with "
                   "trust_remote_code=True; review it before that");
      break;
    case Sniffed::kText:
      *format = "text";
      break;
    case Sniffed::kUnknown:
      break;
  }
  if (!status.ok()) {
    MODELSEAL_RETURN_IF_ERROR(ContentFinding(status, ctx, *format));
  }
  // Raw bytes (torch storages) and plain text say nothing about what a
  // container holds; only recognised formats are listed.
  if (depth > 0 && *format != "unknown" && *format != "text") {
    ctx.sink.SawFormat(*format);
  }
  return absl::OkStatus();
}

}  // namespace

// One top-level file: opened without following a final symlink.
struct FileResult {
  ScannedFile file;
  std::vector<Finding> findings;
  absl::Status status;
};

FileResult ScanOneFile(Env& env, const std::string& open_path,
                       const std::string& display_path) {
  FileResult result;
  result.file.path = display_path;
  FindingSink sink(display_path);
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> file =
      env.OpenForRead(open_path);
  if (!file.ok()) {
    result.status = Annotate(file.status(), display_path);
    return result;
  }
  absl::StatusOr<FileInfo> info = (*file)->Stat();
  if (!info.ok()) {
    result.status = Annotate(info.status(), display_path);
    return result;
  }
  result.file.size = info->size;
  FileSource source(*std::move(file), info->size);
  Context ctx{sink, {}};
  Input input(source);
  std::string format;
  absl::Status status =
      ScanContent(input, display_path, 0, false, ctx, &format);
  if (!status.ok()) {
    result.status = Annotate(status, display_path);
    return result;
  }
  result.file.format = format;
  result.file.inner_formats = sink.formats();
  result.file.bytes_read = source.bytes_read();
  result.findings = sink.Take();
  return result;
}

}  // namespace scan_internal

namespace {

using scan_internal::FileResult;

struct Job {
  std::string open_path;
  std::string display_path;
  bool special = false;  // a symlink or special file found in a folder
  FileType type = FileType::kRegular;
  std::uint64_t size = 0;  // for progress only
};

absl::Status Walk(Env& env, const std::string& path, const std::string& display,
                  std::size_t depth, std::vector<Job>& jobs) {
  if (depth > limits::kMaxDirectoryDepth) {
    return absl::ResourceExhaustedError(absl::StrCat(
        display, ": folders nested deeper than ", limits::kMaxDirectoryDepth));
  }
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::string> names,
                             env.ListDirectory(path));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string child = JoinPath(path, name);
    const std::string child_display = JoinPath(display, name);
    MODELSEAL_ASSIGN_OR_RETURN(FileInfo info, env.LinkStat(child));
    if (info.type == FileType::kDirectory) {
      MODELSEAL_RETURN_IF_ERROR(
          Walk(env, child, child_display, depth + 1, jobs));
      continue;
    }
    if (jobs.size() >= limits::kMaxFilesPerModel) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "more than ", limits::kMaxFilesPerModel, " files to scan"));
    }
    jobs.push_back(Job{child, child_display, info.type != FileType::kRegular,
                       info.type, info.size});
  }
  return absl::OkStatus();
}

FileResult SpecialFile(const Job& job) {
  FileResult result;
  result.file.path = job.display_path;
  result.file.format = "unknown";
  Finding finding;
  finding.rule = "scan.file.special";
  finding.severity = Severity::kError;
  finding.path = job.display_path;
  finding.message =
      job.type == FileType::kSymlink
          ? "a symbolic link: it was not followed (it could point anywhere); "
            "replace it with the file"
          : "not a regular file (a FIFO, socket or device); it was not read";
  result.findings.push_back(std::move(finding));
  return result;
}

absl::StatusOr<ScanReport> RunJobs(Env& env, const std::vector<Job>& jobs,
                                   const ScanOptions& options) {
  unsigned threads = options.threads;
  if (options.bytes_total != nullptr) {
    std::uint64_t total = 0;
    for (const Job& job : jobs) total += job.special ? 0 : job.size;
    options.bytes_total->store(total, std::memory_order_relaxed);
  }
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, limits::kMaxHashThreads);
  threads = static_cast<unsigned>(
      std::min<std::size_t>(threads, std::max<std::size_t>(1, jobs.size())));
  std::vector<FileResult> results(jobs.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    while (true) {
      const std::size_t i = next.fetch_add(1);
      if (i >= jobs.size()) return;
      results[i] = jobs[i].special
                       ? SpecialFile(jobs[i])
                       : scan_internal::ScanOneFile(env, jobs[i].open_path,
                                                    jobs[i].display_path);
      if (options.bytes_done != nullptr && !jobs[i].special) {
        options.bytes_done->fetch_add(jobs[i].size, std::memory_order_relaxed);
      }
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (std::thread& thread : pool) thread.join();
  }
  ScanReport report;
  for (FileResult& result : results) {
    if (!result.status.ok()) return result.status;
    report.files.push_back(std::move(result.file));
    for (Finding& finding : result.findings) {
      report.findings.push_back(std::move(finding));
    }
  }
  return report;
}

}  // namespace

absl::StatusOr<ScanReport> ScanPaths(const std::vector<std::string>& paths,
                                     const ScanOptions& options) {
  Env& env = options.env != nullptr ? *options.env : *Env::Default();
  std::vector<Job> jobs;
  for (const std::string& path : paths) {
    MODELSEAL_ASSIGN_OR_RETURN(FileInfo info, env.Stat(path));
    if (info.type == FileType::kDirectory) {
      MODELSEAL_RETURN_IF_ERROR(Walk(env, path, path, 0, jobs));
    } else if (info.type == FileType::kRegular) {
      // A symlink named by the user is followed, as `hash` does.
      MODELSEAL_ASSIGN_OR_RETURN(std::string real, env.RealPath(path));
      jobs.push_back(Job{real, path, false, FileType::kRegular, info.size});
    } else {
      jobs.push_back(Job{path, path, true, info.type, 0});
    }
  }
  return RunJobs(env, jobs, options);
}

absl::StatusOr<ScanReport> ScanModelFiles(
    const std::string& root, const std::vector<std::string>& relative_paths,
    const ScanOptions& options) {
  Env& env = options.env != nullptr ? *options.env : *Env::Default();
  std::vector<Job> jobs;
  for (const std::string& relative : relative_paths) {
    if (relative.empty() || relative[0] == '/') {
      return absl::InvalidArgumentError(
          absl::StrCat("'", relative, "' is not a relative path"));
    }
    for (absl::string_view part : absl::StrSplit(relative, '/')) {
      if (part.empty() || part == "..") {
        return absl::InvalidArgumentError(
            absl::StrCat("'", relative, "' has an empty or '..' component"));
      }
    }
  }
  for (const std::string& relative : relative_paths) {
    const std::string path = relative == "." ? root : JoinPath(root, relative);
    MODELSEAL_ASSIGN_OR_RETURN(FileInfo info, env.LinkStat(path));
    jobs.push_back(Job{path, relative, info.type != FileType::kRegular,
                       info.type, info.size});
  }
  return RunJobs(env, jobs, options);
}

}  // namespace modelseal
