// The safetensors rules follow the format's own specification
// (github.com/huggingface/safetensors, "Format"): the header is at most
// 100 MB of JSON, keys are unique, every tensor has exactly dtype, shape and
// data_offsets, and the byte buffer is covered exactly, with no holes, no
// overlaps and nothing after it (a polyglot hides a second file there).
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "scan/formats.h"
#include "scan/json.h"

namespace modelseal::scan_internal {
namespace {

struct Dtype {
  absl::string_view name;
  std::uint64_t bits;
};
constexpr Dtype kDtypes[] = {
    {"BOOL", 8},    {"U8", 8},   {"I8", 8},   {"F8_E5M2", 8}, {"F8_E4M3", 8},
    {"F8_E8M0", 8}, {"I16", 16}, {"U16", 16}, {"F16", 16},    {"BF16", 16},
    {"I32", 32},    {"U32", 32}, {"F32", 32}, {"F64", 64},    {"I64", 64},
    {"U64", 64},    {"C64", 64}, {"F4", 4},   {"F6_E2M3", 6}, {"F6_E3M2", 6},
};

struct Tensor {
  std::string name;
  std::uint64_t begin;
  std::uint64_t end;
};

std::string Short(absl::string_view text) {
  return std::string(text.substr(0, 120));
}

}  // namespace

absl::Status CheckSafetensors(const Source& source, FindingSink& sink) {
  auto header_finding = [&](const std::string& message,
                            std::optional<std::uint64_t> offset =
                                std::nullopt) {
    sink.Add("scan.safetensors.header", Severity::kError,
             absl::StrCat("safetensors: ", message), offset);
  };
  const std::uint64_t size = source.size();
  if (size < 8) {
    header_finding("the file is shorter than its 8-byte header length");
    return absl::OkStatus();
  }
  std::uint8_t length_bytes[8];
  MODELSEAL_RETURN_IF_ERROR(source.ReadExactly(0, length_bytes, 8));
  std::uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i)
    header_length = (header_length << 8) | length_bytes[i];
  if (header_length > limits::kMaxSafetensorsHeaderBytes) {
    header_finding(absl::StrCat("header length ", header_length,
                                " is over the format's 100 MB bound"),
                   0);
    return absl::OkStatus();
  }
  if (header_length > size - 8) {
    header_finding(
        absl::StrCat("header length ", header_length,
                     " runs past the end of the ", size, "-byte file"),
        0);
    return absl::OkStatus();
  }
  MODELSEAL_ASSIGN_OR_RETURN(
      std::string header,
      source.ReadString(8, static_cast<std::size_t>(header_length)));
  if (!IsValidUtf8Text(header)) {
    header_finding("the header is not valid UTF-8", 8);
    return absl::OkStatus();
  }
  if (header.empty() || header[0] != '{') {
    header_finding("the header does not start with '{'", 8);
    return absl::OkStatus();
  }
  absl::StatusOr<JsonValue> json = ParseJson(header, limits::kMaxScanJsonDepth,
                                             /*reject_duplicate_keys=*/true);
  if (!json.ok()) {
    header_finding(absl::StrCat("the header is not valid JSON without "
                                "duplicate keys (",
                                json.status().message(), ")"),
                   8);
    return absl::OkStatus();
  }
  if (json->type != JsonValue::Type::kObject) {
    header_finding("the header is not a JSON object", 8);
    return absl::OkStatus();
  }
  if (json->members.size() > limits::kMaxSafetensorsTensors) {
    sink.Add("scan.limit", Severity::kError,
             absl::StrCat("safetensors header lists ", json->members.size(),
                          " tensors, more than the limit"));
    return absl::OkStatus();
  }
  const std::uint64_t data_size = size - 8 - header_length;
  std::vector<Tensor> tensors;
  bool tensors_ok = true;
  auto tensor_finding = [&](absl::string_view name, const std::string& what) {
    tensors_ok = false;
    sink.Add("scan.safetensors.tensor", Severity::kError,
             absl::StrCat("safetensors tensor '", Short(name), "': ", what),
             std::uint64_t{8});
  };
  for (const auto& [name, value] : json->members) {
    if (name == "__metadata__") {
      bool ok = value.type == JsonValue::Type::kObject;
      for (const auto& [key, item] : value.members) {
        if (item.type != JsonValue::Type::kString) ok = false;
      }
      if (!ok) {
        sink.Add("scan.safetensors.metadata", Severity::kError,
                 "safetensors: __metadata__ must map strings to strings",
                 std::uint64_t{8});
      }
      continue;
    }
    if (value.type != JsonValue::Type::kObject) {
      tensor_finding(name, "is not an object");
      continue;
    }
    const JsonValue* dtype = value.Find("dtype");
    const JsonValue* shape = value.Find("shape");
    const JsonValue* offsets = value.Find("data_offsets");
    if (value.members.size() != 3 || dtype == nullptr || shape == nullptr ||
        offsets == nullptr) {
      tensor_finding(name,
                     "must have exactly the fields dtype, shape and "
                     "data_offsets");
      continue;
    }
    const Dtype* known = nullptr;
    if (dtype->type == JsonValue::Type::kString) {
      for (const Dtype& candidate : kDtypes) {
        if (dtype->text == candidate.name) known = &candidate;
      }
    }
    if (known == nullptr) {
      tensor_finding(name,
                     absl::StrCat("unknown dtype '", Short(dtype->text), "'"));
      continue;
    }
    if (shape->type != JsonValue::Type::kArray) {
      tensor_finding(name, "shape is not an array");
      continue;
    }
    // Elements x bits, overflow-checked.
    std::uint64_t bits = known->bits;
    bool shape_ok = true;
    for (const JsonValue& dim : shape->items) {
      const std::optional<std::uint64_t> n = dim.AsUint64();
      if (!n.has_value()) {
        shape_ok = false;
        break;
      }
      if (*n != 0 && bits > UINT64_MAX / *n) {
        shape_ok = false;
        break;
      }
      bits *= *n;
    }
    if (!shape_ok) {
      tensor_finding(name,
                     "shape must be non-negative integers whose product "
                     "fits in 64 bits");
      continue;
    }
    if (bits % 8 != 0) {
      tensor_finding(name, "its elements do not fill whole bytes");
      continue;
    }
    if (offsets->type != JsonValue::Type::kArray ||
        offsets->items.size() != 2 || !offsets->items[0].AsUint64() ||
        !offsets->items[1].AsUint64()) {
      tensor_finding(name, "data_offsets must be two non-negative integers");
      continue;
    }
    const std::uint64_t begin = *offsets->items[0].AsUint64();
    const std::uint64_t end = *offsets->items[1].AsUint64();
    if (end < begin || end - begin != bits / 8) {
      tensor_finding(name, absl::StrCat("data_offsets [", begin, ", ", end,
                                        ") do not hold shape x dtype = ",
                                        bits / 8, " bytes"));
      continue;
    }
    if (end > data_size) {
      tensor_finding(name,
                     absl::StrCat("data_offsets end ", end, " is past the ",
                                  data_size, "-byte data section"));
      continue;
    }
    tensors.push_back(Tensor{name, begin, end});
  }
  if (!tensors_ok) return absl::OkStatus();
  // Exact coverage of the byte buffer.
  std::sort(tensors.begin(), tensors.end(),
            [](const Tensor& a, const Tensor& b) {
              return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
            });
  std::uint64_t expected = 0;
  for (const Tensor& tensor : tensors) {
    if (tensor.begin != expected) {
      sink.Add(
          "scan.safetensors.layout", Severity::kError,
          absl::StrCat("safetensors tensor '", Short(tensor.name),
                       "' starts at ", tensor.begin, " but ",
                       tensor.begin < expected ? "the previous tensor "
                                                 "ends at "
                                               : "the data before it "
                                                 "ends at ",
                       expected,
                       tensor.begin < expected ? " (overlap)" : " (a gap)"),
          8 + header_length + std::min(tensor.begin, expected));
      return absl::OkStatus();
    }
    expected = tensor.end;
  }
  if (expected != data_size) {
    sink.Add("scan.safetensors.layout", Severity::kError,
             absl::StrCat("safetensors: ", data_size - expected,
                          " bytes after the last tensor belong to no "
                          "tensor (a polyglot or a truncated header)"),
             8 + header_length + expected);
  }
  return absl::OkStatus();
}

}  // namespace modelseal::scan_internal
