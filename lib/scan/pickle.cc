// Opcode numbers, argument encodings and stack effects follow CPython's
// Lib/pickletools.py and Lib/pickle.py (protocols 0-5, PEP 307, 3154, 574);
// where the C unpickler (Modules/_pickle.c) is stricter or differs, the
// comment says which one is emulated. Nothing is ever executed.
#include "scan/pickle.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "modelseal/limits.h"

namespace modelseal::scan_internal {
namespace {

constexpr const char* kMalformed = "scan.pickle.malformed";

// --- Import classification -------------------------------------------------

// What tensor checkpoints legitimately import: PyTorch's state dicts and
// storages, NumPy arrays and dtypes, a few containers.
constexpr absl::string_view kAllowedImports[] = {
    "collections.OrderedDict",
    "collections.Counter",
    "collections.defaultdict",
    "builtins.set",
    "builtins.frozenset",
    "builtins.bytearray",
    "builtins.complex",
    "builtins.slice",
    "_codecs.encode",
    "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_tensor_v3",
    "torch._utils._rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state",
    "torch._utils._rebuild_sparse_tensor",
    "torch._utils._rebuild_qtensor",
    "torch._utils._rebuild_nested_tensor",
    "torch._utils._rebuild_device_tensor_from_numpy",
    "torch._utils._rebuild_meta_tensor_no_storage",
    "torch._utils._rebuild_wrapper_subclass",
    "torch._tensor._rebuild_from_type_v2",
    "torch.serialization._get_layout",
    "torch.nn.parameter.Parameter",
    "torch.Tensor",
    "torch.Size",
    "torch.device",
    "torch.strided",
    "torch.sparse_coo",
    "torch.sparse_csr",
    "torch.per_tensor_affine",
    "torch.per_channel_affine",
    "torch.UntypedStorage",
    "torch.storage.UntypedStorage",
    "torch.storage.TypedStorage",
    "torch.FloatStorage",
    "torch.DoubleStorage",
    "torch.HalfStorage",
    "torch.BFloat16Storage",
    "torch.LongStorage",
    "torch.IntStorage",
    "torch.ShortStorage",
    "torch.CharStorage",
    "torch.ByteStorage",
    "torch.BoolStorage",
    "torch.ComplexFloatStorage",
    "torch.ComplexDoubleStorage",
    "torch.QUInt8Storage",
    "torch.QInt8Storage",
    "torch.QInt32Storage",
    "torch.QUInt4x2Storage",
    "torch.QUInt2x4Storage",
    "torch.float32",
    "torch.float",
    "torch.float64",
    "torch.double",
    "torch.float16",
    "torch.half",
    "torch.bfloat16",
    "torch.int64",
    "torch.long",
    "torch.int32",
    "torch.int",
    "torch.int16",
    "torch.short",
    "torch.int8",
    "torch.uint8",
    "torch.uint16",
    "torch.uint32",
    "torch.uint64",
    "torch.bool",
    "torch.complex64",
    "torch.complex128",
    "torch.float8_e4m3fn",
    "torch.float8_e5m2",
    "torch.qint8",
    "torch.quint8",
    "torch.qint32",
    "numpy.core.multiarray._reconstruct",
    "numpy._core.multiarray._reconstruct",
    "numpy.core.multiarray.scalar",
    "numpy._core.multiarray.scalar",
    "numpy.core.numeric._frombuffer",
    "numpy._core.numeric._frombuffer",
    "numpy.dtype",
    "numpy.ndarray",
    "joblib.numpy_pickle.NumpyArrayWrapper",
    "joblib.numpy_pickle.NDArrayWrapper",
};

// Modules whose import alone reaches the OS, runs code or loads more
// pickles. A module matches itself and its submodules.
constexpr absl::string_view kDangerousModules[] = {
    "os",
    "posix",
    "nt",
    "subprocess",
    "commands",
    "sys",
    "runpy",
    "socket",
    "webbrowser",
    "importlib",
    "pkgutil",
    "marshal",
    "pickle",
    "_pickle",
    "cPickle",
    "dill",
    "shutil",
    "pty",
    "ctypes",
    "code",
    "codeop",
    "multiprocessing",
    "_posixsubprocess",
    "asyncio",
    "http",
    "urllib",
    "ftplib",
    "smtplib",
    "telnetlib",
    "tempfile",
    "signal",
    "platform",
    "imp",
    "zipimport",
    "torch.hub",
    "torch.jit",
};

// Names in builtins (and operator/functools) that run code or reach
// attributes.
constexpr absl::string_view kDangerousNames[] = {
    "builtins.eval",
    "builtins.exec",
    "builtins.execfile",
    "builtins.compile",
    "builtins.getattr",
    "builtins.setattr",
    "builtins.delattr",
    "builtins.__import__",
    "builtins.open",
    "builtins.input",
    "builtins.breakpoint",
    "builtins.globals",
    "builtins.locals",
    "builtins.vars",
    "builtins.apply",
    "builtins.help",
    "operator.attrgetter",
    "operator.methodcaller",
    "operator.itemgetter",
    "functools.partial",
    "functools.reduce",
    "io.open",
    "_io.open",
    "io.open_code",
    "io.FileIO",
    "_io.FileIO",
    "codecs.open",
    "numpy.load",
    "torch.load",
    "numpy.lib.npyio.load",
};

bool ModuleMatches(absl::string_view module, absl::string_view prefix) {
  return module == prefix ||
         (absl::StartsWith(module, prefix) && module.size() > prefix.size() &&
          module[prefix.size()] == '.');
}

// --- Python 2 names (CPython Lib/_compat_pickle.py) -------------------------

struct Rename {
  absl::string_view from;
  absl::string_view to;
};
constexpr Rename kModuleRenames[] = {
    {"__builtin__", "builtins"},
    {"copy_reg", "copyreg"},
    {"Queue", "queue"},
    {"SocketServer", "socketserver"},
    {"ConfigParser", "configparser"},
    {"repr", "reprlib"},
    {"_winreg", "winreg"},
    {"thread", "_thread"},
    {"dummy_thread", "_dummy_thread"},
    {"cPickle", "pickle"},
    {"cStringIO", "io"},
    {"StringIO", "io"},
    {"UserDict", "collections"},
    {"UserList", "collections"},
    {"UserString", "collections"},
    {"whichdb", "dbm"},
    {"commands", "subprocess"},
    {"exceptions", "builtins"},
    {"urllib2", "urllib.request"},
    {"urlparse", "urllib.parse"},
    {"httplib", "http.client"},
    {"cookielib", "http.cookiejar"},
    {"HTMLParser", "html.parser"},
    {"xmlrpclib", "xmlrpc.client"},
    {"anydbm", "dbm"},
    {"dbhash", "dbm.bsd"},
    {"dumbdbm", "dbm.dumb"},
    {"gdbm", "dbm.gnu"},
    {"robotparser", "urllib.robotparser"},
    {"copy_reg", "copyreg"},
};
struct NameRename {
  absl::string_view module, name, to_module, to_name;
};
constexpr NameRename kNameRenames[] = {
    {"__builtin__", "xrange", "builtins", "range"},
    {"__builtin__", "reduce", "functools", "reduce"},
    {"__builtin__", "intern", "sys", "intern"},
    {"__builtin__", "unichr", "builtins", "chr"},
    {"__builtin__", "unicode", "builtins", "str"},
    {"__builtin__", "long", "builtins", "int"},
    {"__builtin__", "basestring", "builtins", "str"},
    {"itertools", "izip", "builtins", "zip"},
    {"itertools", "imap", "builtins", "map"},
    {"itertools", "ifilter", "builtins", "filter"},
    {"itertools", "ifilterfalse", "itertools", "filterfalse"},
    {"itertools", "izip_longest", "itertools", "zip_longest"},
    {"UserDict", "IterableUserDict", "collections", "UserDict"},
    {"UserList", "UserList", "collections", "UserList"},
    {"UserDict", "UserDict", "collections", "UserDict"},
    {"UserString", "UserString", "collections", "UserString"},
    {"whichdb", "whichdb", "dbm", "whichdb"},
    {"_socket", "fromfd", "socket", "fromfd"},
    {"_multiprocessing", "Connection", "multiprocessing.connection",
     "Connection"},
    {"multiprocessing.process", "Process", "multiprocessing.context",
     "Process"},
    {"multiprocessing.forking", "Popen", "multiprocessing.popen_fork", "Popen"},
    {"urllib", "quote", "urllib.parse", "quote"},
    {"urllib", "urlopen", "urllib.request", "urlopen"},
    {"urllib", "urlretrieve", "urllib.request", "urlretrieve"},
};

// --- Emulated values ---------------------------------------------------------

enum class Kind : std::uint8_t {
  kOther,       // anything the scanner does not need to know
  kString,      // a str, fully known
  kLongString,  // a str longer than the tracked bound
  kGlobal,      // the result of an import
};

// A value on the emulated stack or in the memo. Only strings carry data
// (STACK_GLOBAL needs its operands' text), and their bytes live in the
// disassembler's text arena, so a value is 16 plain bytes: with a
// std::string member every push, DUP, PUT and GET copied one through
// memcpy, and a memo of small dicts took 2.5 times the memory.
struct Value {
  Kind kind = Kind::kOther;
  std::uint32_t length = 0;  // kString: the text's bytes in the arena
  std::uint64_t offset = 0;  // kString: where they start
};

// Python's int() on a memo index line: surrounding whitespace, a sign,
// digits with single '_' between them.
bool ParsePythonIndex(absl::string_view text, std::int64_t* out) {
  text = absl::StripAsciiWhitespace(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return false;
  std::int64_t value = 0;
  bool last_digit = false;
  for (char c : text) {
    if (c == '_') {
      if (!last_digit) return false;
      last_digit = false;
      continue;
    }
    if (c < '0' || c > '9') return false;
    if (value > (std::int64_t{1} << 40)) return false;  // far past any memo
    value = value * 10 + (c - '0');
    last_digit = true;
  }
  if (!last_digit) return false;
  *out = negative ? -value : value;
  return true;
}

void AppendUtf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// STRING's argument: a quoted Python 2 literal, decoded like
// codecs.escape_decode. False when it is not quoted (the loader refuses it).
bool DecodeStringLiteral(absl::string_view line, std::string* out) {
  if (line.size() < 2 || line.front() != line.back() ||
      (line.front() != '\'' && line.front() != '"')) {
    return false;
  }
  line = line.substr(1, line.size() - 2);
  out->clear();
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c != '\\' || i + 1 == line.size()) {
      out->push_back(c);
      continue;
    }
    const char e = line[++i];
    switch (e) {
      case '\n':
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '\'':
        out->push_back('\'');
        break;
      case '"':
        out->push_back('"');
        break;
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case 'x': {
        const int high = i + 1 < line.size() ? HexDigit(line[i + 1]) : -1;
        const int low = i + 2 < line.size() ? HexDigit(line[i + 2]) : -1;
        if (high < 0 || low < 0) return false;  // ValueError in Python
        out->push_back(static_cast<char>(high * 16 + low));
        i += 2;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int value = e - '0';
          for (int k = 0; k < 2 && i + 1 < line.size() && line[i + 1] >= '0' &&
                          line[i + 1] <= '7';
               ++k) {
            value = value * 8 + (line[++i] - '0');
          }
          out->push_back(static_cast<char>(value & 0xFF));
        } else {
          out->push_back('\\');
          out->push_back(e);
        }
    }
  }
  return true;
}

// UNICODE's argument: raw-unicode-escape (\uXXXX, \UXXXXXXXX; every other
// byte is a Latin-1 code point), re-encoded as UTF-8.
bool DecodeRawUnicodeEscape(absl::string_view line, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '\\' && i + 1 < line.size() &&
        (line[i + 1] == 'u' || line[i + 1] == 'U')) {
      // An odd run of backslashes escapes; raw-unicode-escape counts them.
      std::size_t run = 0;
      for (std::size_t j = i; j > 0 && line[j - 1] == '\\'; --j) ++run;
      if (run % 2 == 0) {
        const std::size_t digits = line[i + 1] == 'u' ? 4 : 8;
        if (i + 2 + digits > line.size()) return false;
        std::uint32_t code_point = 0;
        for (std::size_t k = 0; k < digits; ++k) {
          const int d = HexDigit(line[i + 2 + k]);
          if (d < 0) return false;
          code_point = code_point * 16 + static_cast<std::uint32_t>(d);
        }
        if (code_point > 0x10FFFF) return false;
        AppendUtf8(*out, code_point);
        i += 1 + digits;
        continue;
      }
    }
    AppendUtf8(*out, c);
  }
  return true;
}

bool IsAscii(absl::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string Printable(absl::string_view text) {
  std::string out;
  for (char c : text.substr(0, 200)) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      absl::StrAppend(&out, absl::StrFormat("\\x%02x", u));
    } else {
      out.push_back(c);
    }
  }
  if (text.size() > 200) out += "...";
  return out;
}

// The unpickler's memo: a dict from index to object. Indices are almost
// always dense (MEMOIZE writes at len(memo)), so they live in a vector;
// far-off indices (LONG_BINPUT 4000000000) go to a hash map, so a hostile
// index costs one entry, not a huge vector.
class Memo {
 public:
  std::size_t size() const { return count_; }
  bool Contains(std::int64_t index) const {
    if (index >= 0 && static_cast<std::uint64_t>(index) < present_.size()) {
      return present_[static_cast<std::size_t>(index)] != 0;
    }
    return sparse_.contains(index);
  }
  void Put(std::int64_t index, const Value& value) {
    const auto at = static_cast<std::uint64_t>(index);
    if (at < present_.size() + 1024) {
      if (at >= present_.size()) {
        present_.resize(static_cast<std::size_t>(at) + 1, 0);
        dense_.resize(static_cast<std::size_t>(at) + 1);
      }
      std::uint8_t& here = present_[static_cast<std::size_t>(at)];
      if (here == 0) ++count_;
      here = 1;
      dense_[static_cast<std::size_t>(at)] = value;
      return;
    }
    if (sparse_.insert_or_assign(index, value).second) ++count_;
  }
  const Value* Get(std::int64_t index) const {
    if (index >= 0 && static_cast<std::uint64_t>(index) < present_.size()) {
      return present_[static_cast<std::size_t>(index)] != 0
                 ? &dense_[static_cast<std::size_t>(index)]
                 : nullptr;
    }
    auto it = sparse_.find(index);
    return it == sparse_.end() ? nullptr : &it->second;
  }
  void Clear() {
    dense_.clear();
    present_.clear();
    sparse_.clear();
    count_ = 0;
  }
  // Calls visit(Value&) for every entry.
  template <typename Visit>
  void ForEach(Visit visit) {
    for (std::size_t i = 0; i < dense_.size(); ++i) {
      if (present_[i] != 0) visit(dense_[i]);
    }
    for (auto& [index, value] : sparse_) visit(value);
  }

 private:
  std::vector<Value> dense_;
  std::vector<std::uint8_t> present_;
  absl::flat_hash_map<std::int64_t, Value> sparse_;
  std::size_t count_ = 0;
};

// --- The disassembler
// ---------------------------------------------------------

class Disassembler {
 public:
  Disassembler(Stream& stream, const PickleScanOptions& options,
               FindingSink& sink)
      : reader_(stream), options_(options), sink_(sink) {}

  absl::StatusOr<PickleScanResult> Run() {
    while (true) {
      const std::uint64_t start = reader_.offset();
      if (result_.pickles > 0 && reader_.AtEnd()) break;
      if (result_.pickles >= limits::kMaxPicklesPerStream) {
        sink_.Add("scan.limit", Severity::kError,
                  absl::StrCat("more than ", limits::kMaxPicklesPerStream,
                               " pickles in one stream; the rest was not "
                               "scanned"),
                  start);
        break;
      }
      ResetForNextPickle();
      const bool ok = RunOnePickle();
      if (!reader_.status().ok()) return reader_.status();
      if (!ok) {
        result_.bytes = reader_.offset();
        return result_;
      }
      ++result_.pickles;
      if (options_.max_pickles != 0 &&
          result_.pickles >= options_.max_pickles) {
        break;
      }
    }
    result_.complete = true;
    result_.bytes = reader_.offset();
    return result_;
  }

 private:
  void ResetForNextPickle() {
    stack_.clear();
    marks_.clear();
    memo_.Clear();
    texts_.clear();
    compact_texts_at_ = kCompactTextsAtLeast;
    protocol_ = 0;
    opcodes_in_pickle_ = 0;
  }

  std::string TextOf(const Value& value) const {
    return texts_.substr(static_cast<std::size_t>(value.offset), value.length);
  }
  // The arena only grows while a pickle runs; once it passes
  // compact_texts_at_, the strings still on the stack or in the memo are
  // copied to a fresh one, so it holds at most about twice the live text
  // (strings pushed and dropped are not kept).
  void CompactTexts() {
    std::string live;
    const auto move = [this, &live](Value& value) {
      if (value.kind != Kind::kString) return;
      const std::uint64_t at = live.size();
      live.append(texts_, static_cast<std::size_t>(value.offset), value.length);
      value.offset = at;
    };
    for (Value& value : stack_) move(value);
    memo_.ForEach(move);
    texts_ = std::move(live);
    compact_texts_at_ = std::max(kCompactTextsAtLeast, 2 * texts_.size());
  }

  // A parse failure: the loader would stop here too (after running what
  // came before), so everything reported so far stands.
  bool Malformed(const std::string& message) {
    if (!reader_.status().ok()) return false;  // I/O, not content
    if (result_.pickles > 0 && opcodes_in_pickle_ <= 1) {
      sink_.Add("scan.pickle.trailing_data", Severity::kWarning,
                absl::StrCat("bytes after the end of pickle ", result_.pickles,
                             " are not another pickle (", message,
                             "); a loader stops before them"),
                opcode_offset_);
      result_.complete = true;
      return false;
    }
    sink_.Add(kMalformed, Severity::kError,
              absl::StrCat("pickle cannot be fully parsed: ", message,
                           "; content past this point was not checked"),
              opcode_offset_);
    return false;
  }
  bool Truncated() {
    return Malformed(absl::StrCat("the stream ends inside opcode 0x",
                                  absl::StrFormat("%02x", opcode_)));
  }

  std::size_t Fence() const { return marks_.empty() ? 0 : marks_.back(); }
  bool Need(std::size_t count) {
    if (stack_.size() - Fence() >= count) return true;
    return Malformed(absl::StrFormat(
        "opcode 0x%02x needs %d stack item(s) (stack underflow)", opcode_,
        count));
  }
  bool Push(const Value& value) {
    if (stack_.size() >= limits::kMaxPickleStackItems) {
      sink_.Add("scan.limit", Severity::kError,
                absl::StrCat("pickle stack deeper than ",
                             limits::kMaxPickleStackItems,
                             " items; the rest was not scanned"),
                opcode_offset_);
      return false;
    }
    stack_.push_back(value);
    return true;
  }
  bool PushOther() { return Push(Value{}); }
  bool Pop(std::size_t count) {
    if (!Need(count)) return false;
    stack_.resize(stack_.size() - count);
    return true;
  }
  bool PopMark() {
    if (marks_.empty()) return Malformed("no MARK to pop to");
    stack_.resize(marks_.back());
    marks_.pop_back();
    return true;
  }
  bool PushString(absl::string_view text, bool complete) {
    Value value;
    value.kind = complete ? Kind::kString : Kind::kLongString;
    if (complete) {
      if (texts_.size() + text.size() > compact_texts_at_) CompactTexts();
      value.length = static_cast<std::uint32_t>(text.size());
      value.offset = texts_.size();
      texts_.append(text.data(), text.size());
    }
    return Push(value);
  }

  bool MemoPut(std::int64_t index) {
    if (index < 0) return Malformed("negative memo index");
    if (!Need(1)) return false;
    if (memo_.size() >= limits::kMaxPickleMemoEntries &&
        !memo_.Contains(index)) {
      sink_.Add("scan.limit", Severity::kError,
                absl::StrCat("more than ", limits::kMaxPickleMemoEntries,
                             " memo entries; the rest was not scanned"),
                opcode_offset_);
      return false;
    }
    memo_.Put(index, stack_.back());
    return true;
  }
  bool MemoGet(std::int64_t index) {
    const Value* value = memo_.Get(index);
    if (value == nullptr) {
      return Malformed(absl::StrCat("memo entry ", index, " is not defined"));
    }
    return Push(*value);
  }

  // An import the loader would perform (find_class).
  bool Import(std::string module, std::string name) {
    result_.saw_import = true;
    const std::string as_written = absl::StrCat(module, ".", name);
    if (protocol_ < 3) MapPython2Import(module, name);
    const std::string full = absl::StrCat(module, ".", name);
    if (result_.imports.size() < 64 &&
        std::find(result_.imports.begin(), result_.imports.end(), full) ==
            result_.imports.end()) {
      result_.imports.push_back(full);
    }
    const std::string shown =
        full == as_written
            ? Printable(full)
            : absl::StrCat(Printable(as_written), " (", Printable(full), ")");
    switch (ClassifyImport(module, name)) {
      case ImportVerdict::kAllowed:
        break;
      case ImportVerdict::kDangerous:
        sink_.Add("scan.pickle.dangerous_import", Severity::kCritical,
                  absl::StrCat("pickle imports ", shown,
                               ", which can run code or reach the system "
                               "when the file is loaded; do not load it"),
                  opcode_offset_);
        break;
      case ImportVerdict::kAttributeChain: {
        const bool dangerous =
            ClassifyImport(module, name.substr(0, name.find('.'))) ==
            ImportVerdict::kDangerous;
        sink_.Add("scan.pickle.attribute_chain",
                  dangerous ? Severity::kCritical : Severity::kError,
                  absl::StrCat("pickle imports ", shown,
                               ": a dotted or dunder name reaches attributes "
                               "beyond the module, which no checkpoint "
                               "needs"),
                  opcode_offset_);
        break;
      }
      case ImportVerdict::kNotAllowed:
        sink_.Add("scan.pickle.import", Severity::kError,
                  absl::StrCat("pickle imports ", shown,
                               ", which is not on the allow-list of tensor "
                               "checkpoint imports; loading it may run code"),
                  opcode_offset_);
        break;
    }
    Value value;
    value.kind = Kind::kGlobal;
    return Push(value);
  }

  bool ReadLine(std::string* line) {
    std::uint64_t length = 0;
    if (!reader_.ReadLine(limits::kMaxPickleTrackedStringBytes + 1, line,
                          &length)) {
      return Truncated();
    }
    line_complete_ = length <= limits::kMaxPickleTrackedStringBytes;
    return true;
  }
  bool ReadIndexLine(std::int64_t* index) {
    std::string line;
    if (!ReadLine(&line)) return false;
    if (!line_complete_ || !ParsePythonIndex(line, index)) {
      return Malformed(absl::StrCat("bad memo index '", Printable(line), "'"));
    }
    return true;
  }
  template <typename T>
  bool ReadLittle(T* value) {
    std::uint8_t bytes[sizeof(T)];
    if (!reader_.Read(bytes, sizeof(T))) return Truncated();
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      v |= std::uint64_t{bytes[i]} << (8 * i);
    }
    *value = static_cast<T>(v);
    return true;
  }
  // A length-prefixed payload: str payloads are kept when short.
  bool Payload(std::uint64_t length, bool is_str, bool ascii_only) {
    if (!reader_.ReadKeeping(length,
                             is_str ? limits::kMaxPickleTrackedStringBytes : 0,
                             &kept_)) {
      return Truncated();
    }
    if (!is_str) return PushOther();
    const bool complete = length <= limits::kMaxPickleTrackedStringBytes;
    if (ascii_only && complete && !IsAscii(kept_)) {
      // Python 3 decodes protocol-2 byte strings as ASCII by default.
      return Malformed("a BINSTRING is not ASCII");
    }
    return PushString(kept_, complete);
  }

  bool RunOnePickle();

  BufferedReader reader_;
  const PickleScanOptions& options_;
  FindingSink& sink_;
  PickleScanResult result_;
  // The arena is compacted from this size up (see CompactTexts).
  static constexpr std::size_t kCompactTextsAtLeast = std::size_t{8} << 20;

  std::vector<Value> stack_;
  std::vector<std::size_t> marks_;
  Memo memo_;
  std::string texts_;  // the bytes of the kString values
  std::size_t compact_texts_at_ = kCompactTextsAtLeast;
  std::string kept_;  // Payload's buffer, reused
  int protocol_ = 0;
  std::uint8_t opcode_ = 0;
  std::uint64_t opcode_offset_ = 0;
  std::uint64_t opcodes_in_pickle_ = 0;
  bool line_complete_ = true;
};

bool Disassembler::RunOnePickle() {
  std::string line, second;
  while (true) {
    opcode_offset_ = reader_.offset();
    if (!reader_.ReadByte(&opcode_)) {
      if (!reader_.status().ok()) return false;
      return Malformed(opcodes_in_pickle_ == 0
                           ? std::string("the stream is empty")
                           : std::string("the stream ends before STOP"));
    }
    ++opcodes_in_pickle_;
    ++result_.opcodes;
    switch (opcode_) {
      // ---- protocol 0/1
      case '(':  // MARK
        if (marks_.size() >= limits::kMaxPickleMarks) {
          sink_.Add("scan.limit", Severity::kError,
                    absl::StrCat("more than ", limits::kMaxPickleMarks,
                                 " nested MARKs; the rest was not scanned"),
                    opcode_offset_);
          return false;
        }
        marks_.push_back(stack_.size());
        break;
      case '.':  // STOP
        if (!Need(1)) return false;
        return true;
      case '0':  // POP: the top item, or the mark when the frame is empty
        if (stack_.size() > Fence()) {
          stack_.pop_back();
        } else if (!PopMark()) {
          return false;
        }
        break;
      case '1':  // POP_MARK
        if (!PopMark()) return false;
        break;
      case '2':  // DUP
        if (!Need(1)) return false;
        if (!Push(stack_.back())) return false;
        break;
      case 'F':  // FLOAT
      case 'I':  // INT
      case 'L':  // LONG
        if (!ReadLine(&line) || !PushOther()) return false;
        break;
      case 'S':  // STRING
        if (!ReadLine(&line)) return false;
        if (!line_complete_) {
          if (!PushString("", false)) return false;
          break;
        }
        if (!DecodeStringLiteral(line, &second)) {
          return Malformed("the STRING argument is not a quoted literal");
        }
        if (!PushString(second, true)) return false;
        break;
      case 'V':  // UNICODE
        if (!ReadLine(&line)) return false;
        if (!line_complete_) {
          if (!PushString("", false)) return false;
          break;
        }
        if (!DecodeRawUnicodeEscape(line, &second)) {
          return Malformed("the UNICODE argument is not raw-unicode-escape");
        }
        if (!PushString(second, true)) return false;
        break;
      case 'N':  // NONE
      case ')':  // EMPTY_TUPLE
      case ']':  // EMPTY_LIST
      case '}':  // EMPTY_DICT
        if (!PushOther()) return false;
        break;
      case 'a':  // APPEND: list value -> list
        if (!Need(2)) return false;
        stack_.pop_back();
        break;
      case 'e':  // APPENDS
      case 'u':  // SETITEMS
        if (!PopMark()) return false;
        if (!Need(1)) return false;
        break;
      case 's':  // SETITEM: dict key value -> dict
        if (!Need(3)) return false;
        stack_.resize(stack_.size() - 2);
        break;
      case 'l':  // LIST
      case 't':  // TUPLE
      case 'd':  // DICT
        if (!PopMark() || !PushOther()) return false;
        break;
      case 'b':  // BUILD: obj state -> obj
        if (!Need(2)) return false;
        stack_.pop_back();
        break;
      case 'R':  // REDUCE: callable args -> result
        if (!Pop(2) || !PushOther()) return false;
        break;
      case 'c': {  // GLOBAL module\n name\n
        if (!ReadLine(&line) || !ReadLine(&second)) return false;
        if (!Import(line, second)) return false;
        break;
      }
      case 'i': {  // INST module\n name\n, then the class is called
        std::string module;
        if (!ReadLine(&module) || !ReadLine(&line)) return false;
        if (!PopMark()) return false;
        if (!Import(module, line)) return false;
        break;
      }
      case 'o':  // OBJ: MARK cls args... -> obj
        if (marks_.empty()) return Malformed("no MARK to pop to");
        if (stack_.size() - marks_.back() < 1) {
          return Malformed("OBJ without a class");
        }
        if (!PopMark() || !PushOther()) return false;
        break;
      case 'P':  // PERSID
        if (!ReadLine(&line) || !PushOther()) return false;
        break;
      case 'Q':  // BINPERSID
        if (!Pop(1) || !PushOther()) return false;
        break;
      case 'g': {  // GET
        std::int64_t index = 0;
        if (!ReadIndexLine(&index) || !MemoGet(index)) return false;
        break;
      }
      case 'h': {  // BINGET
        std::uint8_t index = 0;
        if (!ReadLittle(&index) || !MemoGet(index)) return false;
        break;
      }
      case 'j': {  // LONG_BINGET
        std::uint32_t index = 0;
        if (!ReadLittle(&index) || !MemoGet(index)) return false;
        break;
      }
      case 'p': {  // PUT
        std::int64_t index = 0;
        if (!ReadIndexLine(&index) || !MemoPut(index)) return false;
        break;
      }
      case 'q': {  // BINPUT
        std::uint8_t index = 0;
        if (!ReadLittle(&index) || !MemoPut(index)) return false;
        break;
      }
      case 'r': {  // LONG_BINPUT
        std::uint32_t index = 0;
        if (!ReadLittle(&index) || !MemoPut(index)) return false;
        break;
      }
      case 'J': {  // BININT
        std::uint32_t ignored = 0;
        if (!ReadLittle(&ignored) || !PushOther()) return false;
        break;
      }
      case 'K': {  // BININT1
        std::uint8_t ignored = 0;
        if (!ReadLittle(&ignored) || !PushOther()) return false;
        break;
      }
      case 'M': {  // BININT2
        std::uint16_t ignored = 0;
        if (!ReadLittle(&ignored) || !PushOther()) return false;
        break;
      }
      case 'G': {  // BINFLOAT
        std::uint64_t ignored = 0;
        if (!ReadLittle(&ignored) || !PushOther()) return false;
        break;
      }
      case 'T': {  // BINSTRING: int4 length (signed)
        std::uint32_t length = 0;
        if (!ReadLittle(&length)) return false;
        if (static_cast<std::int32_t>(length) < 0) {
          return Malformed("negative BINSTRING length");
        }
        if (!Payload(length, true, true)) return false;
        break;
      }
      case 'U': {  // SHORT_BINSTRING
        std::uint8_t length = 0;
        if (!ReadLittle(&length) || !Payload(length, true, true)) return false;
        break;
      }
      case 'X': {  // BINUNICODE
        std::uint32_t length = 0;
        if (!ReadLittle(&length) || !Payload(length, true, false)) {
          return false;
        }
        break;
      }
      // ---- protocol 2
      case 0x80: {  // PROTO
        std::uint8_t version = 0;
        if (!ReadLittle(&version)) return false;
        if (version > 5) {
          return Malformed(absl::StrCat("unsupported protocol ", version));
        }
        protocol_ = version;
        break;
      }
      case 0x81:  // NEWOBJ: cls args -> obj
        if (!Pop(2) || !PushOther()) return false;
        break;
      case 0x82:    // EXT1
      case 0x83:    // EXT2
      case 0x84: {  // EXT4
        std::uint32_t code = 0;
        if (opcode_ == 0x82) {
          std::uint8_t v = 0;
          if (!ReadLittle(&v)) return false;
          code = v;
        } else if (opcode_ == 0x83) {
          std::uint16_t v = 0;
          if (!ReadLittle(&v)) return false;
          code = v;
        } else if (!ReadLittle(&code)) {
          return false;
        }
        result_.saw_import = true;
        sink_.Add("scan.pickle.extension", Severity::kError,
                  absl::StrCat("pickle imports through the copyreg extension "
                               "registry (code ",
                               code,
                               "), which the scanner cannot resolve; it "
                               "fails closed"),
                  opcode_offset_);
        if (!PushOther()) return false;
        break;
      }
      case 0x85:  // TUPLE1
        if (!Pop(1) || !PushOther()) return false;
        break;
      case 0x86:  // TUPLE2
        if (!Pop(2) || !PushOther()) return false;
        break;
      case 0x87:  // TUPLE3
        if (!Pop(3) || !PushOther()) return false;
        break;
      case 0x88:  // NEWTRUE
      case 0x89:  // NEWFALSE
        if (!PushOther()) return false;
        break;
      case 0x8a: {  // LONG1
        std::uint8_t length = 0;
        if (!ReadLittle(&length) || !Payload(length, false, false)) {
          return false;
        }
        break;
      }
      case 0x8b: {  // LONG4 (signed length)
        std::uint32_t length = 0;
        if (!ReadLittle(&length)) return false;
        if (static_cast<std::int32_t>(length) < 0) {
          return Malformed("negative LONG4 length");
        }
        if (!Payload(length, false, false)) return false;
        break;
      }
      // ---- protocol 3
      case 'B': {  // BINBYTES
        std::uint32_t length = 0;
        if (!ReadLittle(&length) || !Payload(length, false, false)) {
          return false;
        }
        break;
      }
      case 'C': {  // SHORT_BINBYTES
        std::uint8_t length = 0;
        if (!ReadLittle(&length) || !Payload(length, false, false)) {
          return false;
        }
        break;
      }
      // ---- protocol 4
      case 0x8c: {  // SHORT_BINUNICODE
        std::uint8_t length = 0;
        if (!ReadLittle(&length) || !Payload(length, true, false)) {
          return false;
        }
        break;
      }
      case 0x8d:    // BINUNICODE8
      case 0x8e:    // BINBYTES8
      case 0x96: {  // BYTEARRAY8 (protocol 5)
        std::uint64_t length = 0;
        if (!ReadLittle(&length)) return false;
        if (length > (std::uint64_t{1} << 62)) {
          return Malformed("impossible 8-byte length");
        }
        if (!Payload(length, opcode_ == 0x8d, false)) return false;
        break;
      }
      case 0x8f:  // EMPTY_SET
        if (!PushOther()) return false;
        break;
      case 0x90:  // ADDITEMS
        if (!PopMark() || !Need(1)) return false;
        break;
      case 0x91:  // FROZENSET
        if (!PopMark() || !PushOther()) return false;
        break;
      case 0x92:  // NEWOBJ_EX: cls args kwargs -> obj
        if (!Pop(3) || !PushOther()) return false;
        break;
      case 0x93: {  // STACK_GLOBAL: module name -> global
        if (!Need(2)) return false;
        const Value name = stack_.back();
        stack_.pop_back();
        const Value module = stack_.back();
        stack_.pop_back();
        if (module.kind != Kind::kString || name.kind != Kind::kString) {
          result_.saw_import = true;
          sink_.Add("scan.pickle.dynamic_global", Severity::kError,
                    "STACK_GLOBAL imports a name computed at load time (its "
                    "operands are not constant strings); the import cannot "
                    "be checked, so the scan fails closed",
                    opcode_offset_);
          if (!PushOther()) return false;
          break;
        }
        if (!Import(TextOf(module), TextOf(name))) {
          return false;
        }
        break;
      }
      case 0x94:  // MEMOIZE: memo[len(memo)] = top
        if (!MemoPut(static_cast<std::int64_t>(memo_.size()))) return false;
        break;
      case 0x95: {  // FRAME: a length hint only
        std::uint64_t ignored = 0;
        if (!ReadLittle(&ignored)) return false;
        break;
      }
      // ---- protocol 5
      case 0x97:  // NEXT_BUFFER
        if (!PushOther()) return false;
        break;
      case 0x98:  // READONLY_BUFFER
        if (!Need(1)) return false;
        break;
      default:
        return Malformed(absl::StrFormat("unknown opcode 0x%02x", opcode_));
    }
  }
}

}  // namespace

void MapPython2Import(std::string& module, std::string& name) {
  for (const NameRename& rename : kNameRenames) {
    if (module == rename.module && name == rename.name) {
      module = std::string(rename.to_module);
      name = std::string(rename.to_name);
      return;
    }
  }
  for (const Rename& rename : kModuleRenames) {
    if (module == rename.from) {
      module = std::string(rename.to);
      return;
    }
  }
}

ImportVerdict ClassifyImport(absl::string_view module, absl::string_view name) {
  for (absl::string_view prefix : kDangerousModules) {
    if (ModuleMatches(module, prefix)) return ImportVerdict::kDangerous;
  }
  const std::string full = absl::StrCat(module, ".", name);
  for (absl::string_view dangerous : kDangerousNames) {
    if (full == dangerous) return ImportVerdict::kDangerous;
  }
  if (name.find('.') != absl::string_view::npos ||
      absl::StartsWith(name, "__") || name.empty() || module.empty()) {
    return ImportVerdict::kAttributeChain;
  }
  for (absl::string_view allowed : kAllowedImports) {
    if (full == allowed) return ImportVerdict::kAllowed;
  }
  if (module == "numpy.dtypes" && absl::EndsWith(name, "DType")) {
    return ImportVerdict::kAllowed;
  }
  return ImportVerdict::kNotAllowed;
}

absl::StatusOr<PickleScanResult> ScanPickleStream(
    Stream& stream, const PickleScanOptions& options, FindingSink& sink) {
  Disassembler disassembler(stream, options, sink);
  return disassembler.Run();
}

}  // namespace modelseal::scan_internal
