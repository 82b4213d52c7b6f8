// GGUF as specified in ggml's docs/gguf.md (versions 2 and 3, little
// endian): magic "GGUF", u32 version, u64 tensor count, u64 metadata count,
// metadata key/value pairs, tensor infos, padding to `general.alignment`
// (default 32), then the tensor data. ggml type block sizes and byte sizes
// are those of ggml's type_traits table (ggml/src/ggml.c).
#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "scan/formats.h"
#include "scan/json.h"

namespace modelseal::scan_internal {
namespace {

struct GgmlType {
  std::uint32_t id = 0;
  const char* name;
  std::uint64_t block;  // elements per block
  std::uint64_t bytes;  // bytes per block
};
constexpr GgmlType kGgmlTypes[] = {
    {0, "F32", 1, 4},         {1, "F16", 1, 2},
    {2, "Q4_0", 32, 18},      {3, "Q4_1", 32, 20},
    {6, "Q5_0", 32, 22},      {7, "Q5_1", 32, 24},
    {8, "Q8_0", 32, 34},      {9, "Q8_1", 32, 36},
    {10, "Q2_K", 256, 84},    {11, "Q3_K", 256, 110},
    {12, "Q4_K", 256, 144},   {13, "Q5_K", 256, 176},
    {14, "Q6_K", 256, 210},   {15, "Q8_K", 256, 292},
    {16, "IQ2_XXS", 256, 66}, {17, "IQ2_XS", 256, 74},
    {18, "IQ3_XXS", 256, 98}, {19, "IQ1_S", 256, 50},
    {20, "IQ4_NL", 32, 18},   {21, "IQ3_S", 256, 110},
    {22, "IQ2_S", 256, 82},   {23, "IQ4_XS", 256, 136},
    {24, "I8", 1, 1},         {25, "I16", 1, 2},
    {26, "I32", 1, 4},        {27, "I64", 1, 8},
    {28, "F64", 1, 8},        {29, "IQ1_M", 256, 56},
    {30, "BF16", 1, 2},       {34, "TQ1_0", 256, 54},
    {35, "TQ2_0", 256, 66},   {39, "MXFP4", 32, 17},
};

enum ValueType : std::uint32_t {
  kUint8 = 0,
  kInt8,
  kUint16,
  kInt16,
  kUint32,
  kInt32,
  kFloat32,
  kBool,
  kString,
  kArray,
  kUint64,
  kInt64,
  kFloat64,
};
constexpr std::uint64_t kScalarSizes[] = {1, 1, 2, 2, 4, 4, 4,
                                          1, 0, 0, 8, 8, 8};

struct TensorInfo {
  std::string name;
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;
};

class GgufReader {
 public:
  GgufReader(const Source& source, FindingSink& sink)
      : source_(source), stream_(source), reader_(stream_), sink_(sink) {}

  absl::Status Run() {
    Check();
    return reader_.status();
  }

 private:
  // Returns false after a finding (or an I/O error) ends the check.
  bool Fail(absl::string_view rule, const std::string& message) {
    if (!reader_.status().ok()) return false;
    sink_.Add(std::string(rule), Severity::kError,
              absl::StrCat("GGUF: ", message), offset_of_item_);
    return false;
  }
  bool Truncated() {
    return Fail("scan.gguf.header", "the file ends inside the header");
  }
  template <typename T>
  bool Read(T* value) {
    std::uint8_t bytes[sizeof(T)];
    if (!reader_.Read(bytes, sizeof(T))) return Truncated();
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      v |= std::uint64_t{bytes[i]} << (8 * i);
    }
    *value = static_cast<T>(v);
    return HeaderBound();
  }
  bool HeaderBound() {
    if (reader_.offset() > limits::kMaxGgufHeaderBytes) {
      return Fail("scan.limit", "header larger than the limit");
    }
    return true;
  }
  bool ReadString(std::size_t keep, std::string* out, std::uint64_t max) {
    std::uint64_t length = 0;
    if (!Read(&length)) return false;
    if (length > max) {
      return Fail("scan.gguf.metadata",
                  absl::StrCat("a string of ", length,
                               " bytes is over the limit of ", max));
    }
    if (length > source_.size()) return Truncated();
    if (!reader_.ReadKeeping(length, keep, out)) return Truncated();
    if (out->size() == length && !IsValidUtf8Text(*out)) {
      return Fail("scan.gguf.metadata", "a string is not valid UTF-8");
    }
    return HeaderBound();
  }
  bool SkipValue(std::uint32_t type, std::size_t depth) {
    if (type < std::size(kScalarSizes) && kScalarSizes[type] != 0) {
      std::uint8_t bytes[8];
      if (!reader_.Read(bytes, kScalarSizes[type])) return Truncated();
      if (type == kBool && bytes[0] > 1) {
        return Fail("scan.gguf.metadata", "a bool is neither 0 nor 1");
      }
      return HeaderBound();
    }
    if (type == kString) {
      std::string ignored;
      return ReadString(0, &ignored, limits::kMaxGgufStringBytes);
    }
    if (type == kArray) {
      if (depth >= limits::kMaxGgufArrayDepth) {
        return Fail("scan.gguf.metadata", "arrays nested too deeply");
      }
      std::uint32_t element_type = 0;
      std::uint64_t count = 0;
      if (!Read(&element_type) || !Read(&count)) return false;
      if (count > limits::kMaxGgufArrayElements) {
        return Fail(
            "scan.gguf.metadata",
            absl::StrCat("an array of ", count, " elements is over the limit"));
      }
      if (element_type < std::size(kScalarSizes) &&
          kScalarSizes[element_type] != 0 && element_type != kBool) {
        const std::uint64_t bytes = count * kScalarSizes[element_type];
        if (bytes > source_.size()) return Truncated();
        std::string ignored;
        if (!reader_.ReadKeeping(bytes, 0, &ignored)) return Truncated();
        return HeaderBound();
      }
      for (std::uint64_t i = 0; i < count; ++i) {
        if (!SkipValue(element_type, depth + 1)) return false;
      }
      return true;
    }
    return Fail("scan.gguf.metadata",
                absl::StrCat("unknown value type ", type));
  }

  void Check();

  const Source& source_;
  SourceStream stream_;
  BufferedReader reader_;
  FindingSink& sink_;
  std::uint64_t offset_of_item_ = 0;
};

void GgufReader::Check() {
  std::uint32_t magic = 0, version = 0;
  std::uint64_t tensor_count = 0, metadata_count = 0;
  if (!Read(&magic) || !Read(&version)) return;
  if (magic != 0x46554747) {
    Fail("scan.gguf.header", "bad magic");
    return;
  }
  if (version != 2 && version != 3) {
    Fail("scan.gguf.header",
         absl::StrCat("unsupported version ", version,
                      version > 0xFFFF ? " (a big-endian file?)" : "",
                      "; only versions 2 and 3 are checked"));
    return;
  }
  if (!Read(&tensor_count) || !Read(&metadata_count)) return;
  if (tensor_count > limits::kMaxGgufTensors) {
    Fail("scan.limit",
         absl::StrCat(tensor_count, " tensors is over the limit"));
    return;
  }
  if (metadata_count > limits::kMaxGgufMetadataEntries) {
    Fail("scan.limit",
         absl::StrCat(metadata_count, " metadata entries is over the limit"));
    return;
  }
  std::uint64_t alignment = 32;
  absl::flat_hash_set<std::string> keys;
  for (std::uint64_t i = 0; i < metadata_count; ++i) {
    offset_of_item_ = reader_.offset();
    std::string key;
    if (!ReadString(65536, &key, 65535)) return;
    if (key.empty()) {
      Fail("scan.gguf.metadata", "an empty metadata key");
      return;
    }
    if (!keys.insert(key).second) {
      Fail("scan.gguf.metadata",
           absl::StrCat("duplicate metadata key '", key.substr(0, 120), "'"));
      return;
    }
    std::uint32_t type = 0;
    if (!Read(&type)) return;
    if (key == "general.alignment") {
      if (type != kUint32) {
        Fail("scan.gguf.metadata", "general.alignment is not a uint32");
        return;
      }
      std::uint32_t value = 0;
      if (!Read(&value)) return;
      if (value == 0 || (value & (value - 1)) != 0 ||
          value > limits::kMaxGgufAlignment) {
        Fail("scan.gguf.metadata",
             absl::StrCat("general.alignment ", value,
                          " is not a power of two (up to ",
                          limits::kMaxGgufAlignment, ")"));
        return;
      }
      alignment = value;
      continue;
    }
    if (key == "tokenizer.chat_template" && type == kString) {
      std::string chat_template;
      if (!ReadString(limits::kMaxGgufStringBytes, &chat_template,
                      limits::kMaxGgufStringBytes)) {
        return;
      }
      const absl::string_view marker = FindTemplateInjection(chat_template);
      if (!marker.empty()) {
        sink_.Add(
            "scan.gguf.chat_template", Severity::kCritical,
            absl::StrCat("GGUF: tokenizer.chat_template contains '", marker,
                         "', a Jinja template injection that runs code "
                         "in loaders that render it"),
            offset_of_item_);
      }
      continue;
    }
    if (!SkipValue(type, 0)) return;
  }
  std::vector<TensorInfo> tensors;
  tensors.reserve(
      static_cast<std::size_t>(std::min<std::uint64_t>(tensor_count, 1 << 16)));
  absl::flat_hash_set<std::string> names;
  for (std::uint64_t i = 0; i < tensor_count; ++i) {
    offset_of_item_ = reader_.offset();
    TensorInfo tensor;
    if (!ReadString(65536, &tensor.name, 65535)) return;
    auto tensor_fail = [&](const std::string& what) {
      Fail("scan.gguf.tensor",
           absl::StrCat("tensor '", tensor.name.substr(0, 120), "' ", what));
    };
    if (tensor.name.size() > 64) {
      tensor_fail("has a name longer than 64 bytes");
      return;
    }
    if (!names.insert(tensor.name).second) {
      tensor_fail("is listed twice");
      return;
    }
    std::uint32_t dims = 0;
    if (!Read(&dims)) return;
    if (dims < 1 || dims > 4) {
      tensor_fail(absl::StrCat("has ", dims, " dimensions (1 to 4 allowed)"));
      return;
    }
    std::uint64_t extent[4] = {1, 1, 1, 1};
    for (std::uint32_t d = 0; d < dims; ++d) {
      if (!Read(&extent[d])) return;
      if (extent[d] > static_cast<std::uint64_t>(INT64_MAX)) {
        tensor_fail("has a dimension past INT64_MAX");
        return;
      }
    }
    std::uint32_t type_id = 0;
    if (!Read(&type_id) || !Read(&tensor.offset)) return;
    const GgmlType* type = nullptr;
    for (const GgmlType& candidate : kGgmlTypes) {
      if (candidate.id == type_id) type = &candidate;
    }
    if (type == nullptr) {
      tensor_fail(absl::StrCat("has unknown ggml type ", type_id));
      return;
    }
    if (extent[0] % type->block != 0) {
      tensor_fail(absl::StrCat("has a first dimension ", extent[0],
                               " that is not a multiple of the ", type->name,
                               " block size ", type->block));
      return;
    }
    // bytes = ne0/block * type bytes * ne1 * ne2 * ne3, overflow-checked.
    unsigned __int128 bytes =
        static_cast<unsigned __int128>(extent[0] / type->block) * type->bytes;
    bool overflow = false;
    for (int d = 1; d < 4 && !overflow; ++d) {
      bytes *= extent[d];
      if (bytes > static_cast<unsigned __int128>(INT64_MAX)) overflow = true;
    }
    if (overflow || bytes > static_cast<unsigned __int128>(INT64_MAX)) {
      tensor_fail("has a size that overflows");
      return;
    }
    tensor.bytes = static_cast<std::uint64_t>(bytes);
    if (tensor.offset % alignment != 0) {
      tensor_fail(absl::StrCat("has offset ", tensor.offset, " not aligned to ",
                               alignment));
      return;
    }
    tensors.push_back(std::move(tensor));
  }
  offset_of_item_ = reader_.offset();
  const std::uint64_t header_end = reader_.offset();
  const std::uint64_t data_start =
      (header_end + alignment - 1) / alignment * alignment;
  const std::uint64_t size = source_.size();
  if (data_start > size && !tensors.empty()) {
    Fail("scan.gguf.layout", "the data section starts past the end");
    return;
  }
  const std::uint64_t data_size = data_start > size ? 0 : size - data_start;
  std::sort(tensors.begin(), tensors.end(),
            [](const TensorInfo& a, const TensorInfo& b) {
              return a.offset < b.offset;
            });
  std::uint64_t previous_end = 0;
  const TensorInfo* previous = nullptr;
  for (const TensorInfo& tensor : tensors) {
    if (tensor.offset > data_size || tensor.bytes > data_size - tensor.offset) {
      Fail("scan.gguf.layout",
           absl::StrCat("tensor '", tensor.name, "' (", tensor.bytes,
                        " bytes at data offset ", tensor.offset,
                        ") runs past the end of the file"));
      return;
    }
    if (previous != nullptr && tensor.offset < previous_end) {
      Fail("scan.gguf.layout",
           absl::StrCat("tensors '", previous->name, "' and '", tensor.name,
                        "' overlap"));
      return;
    }
    previous_end = tensor.offset + tensor.bytes;
    previous = &tensor;
  }
}

bool IsIdentifierChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace

absl::string_view FindTemplateInjection(absl::string_view chat_template) {
  // Markers of a Jinja sandbox escape; none has a use in a chat template.
  static constexpr absl::string_view kMarkers[] = {
      "__globals__",  "__class__",  "__subclasses__",
      "__builtins__", "__import__", "__mro__",
      "__base__",     "__init__",   "__getattribute__",
      "import",       "popen",      "subprocess",
      "eval",         "exec",
  };
  for (absl::string_view marker : kMarkers) {
    std::size_t at = 0;
    while ((at = chat_template.find(marker, at)) != absl::string_view::npos) {
      const bool word_start =
          at == 0 || !IsIdentifierChar(chat_template[at - 1]);
      const std::size_t after = at + marker.size();
      const bool word_end = after >= chat_template.size() ||
                            !IsIdentifierChar(chat_template[after]);
      if (marker[0] == '_' || (word_start && word_end)) return marker;
      at = after;
    }
  }
  return {};
}

absl::Status CheckGguf(const Source& source, FindingSink& sink) {
  GgufReader reader(source, sink);
  return reader.Run();
}

}  // namespace modelseal::scan_internal
