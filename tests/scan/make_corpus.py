#!/usr/bin/env python3
"""Builds the scanner's test corpus with real producers.

Usage: make_corpus.py OUTDIR

Pickles come from Debian's python3 `pickle` module (every protocol), zips
from `zipfile`, arrays from `numpy`, compressed wrappers from gzip/bz2/lzma;
the bypass tricks are hand-built byte strings, and each hand-built pickle is
checked here against CPython's own unpickler (with a find_class that records
instead of importing), so the expectation is what the real loader does.

Writes OUTDIR/expected.json: {"cases": [{"file", "format", "rules",
"critical"}...]} where `rules` is the exact set of rule ids the scanner must
report for the file and `critical` whether one of them must be critical.
Nothing here is ever unpickled with real imports.
"""
import bz2
import collections
import gzip
import io
import json
import lzma
import os
import pickle
import struct
import sys
import types
import zipfile
import zlib

OUT = sys.argv[1]
CASES = []


def write(name, data, fmt, rules=(), critical=False):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    CASES.append({"file": name, "format": fmt, "rules": sorted(set(rules)),
                  "critical": critical})
    return path


def resolved_imports(data):
    """What CPython's unpickler imports for `data`, without importing."""
    seen = []

    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            seen.append((module, name))
            return lambda *args, **kwargs: None

        def persistent_load(self, pid):
            return None

    try:
        Recorder(io.BytesIO(data)).load()
    except Exception:
        pass
    return seen


# --- Fake torch / dangerous callables, registered so pickle can name them ----

def fake_module(name, **members):
    module = types.ModuleType(name)
    for key, value in members.items():
        if isinstance(value, types.FunctionType):
            value.__module__ = name
            value.__qualname__ = key
        setattr(module, key, value)
    sys.modules[name] = module
    return module


def _rebuild_tensor_v2(*args):
    return None


FloatStorage = type("FloatStorage", (), {"__module__": "torch"})
fake_module("torch", FloatStorage=FloatStorage)
fake_module("torch._utils", _rebuild_tensor_v2=_rebuild_tensor_v2)


class FakeTensor:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel

    def __reduce__(self):
        storage = StorageRef(self.key, self.numel)
        return (sys.modules["torch._utils"]._rebuild_tensor_v2,
                (storage, 0, (self.numel,), (1,), False,
                 collections.OrderedDict()))


class StorageRef:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            return ("storage", FloatStorage, obj.key, "cpu", obj.numel)
        return None


def torch_pickle(state, protocol=2):
    buffer = io.BytesIO()
    TorchPickler(buffer, protocol=protocol).dump(state)
    return buffer.getvalue()


class Evil:
    """Pickles as a call to `func(*args)` (never called here)."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def benign_state():
    return collections.OrderedDict(
        [("layer.weight", FakeTensor("0", 4)), ("layer.bias", FakeTensor("1", 2))])


# --- Pickles of every protocol ------------------------------------------------

for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
    data = pickle.dumps({"a": [1, 2.5, "x", None, True], "b": (1, 2),
                         "c": collections.OrderedDict(k=b"bytes"),
                         "d": {1, 2}, "e": frozenset([3])}, protocol=protocol)
    write(f"pickle/benign_p{protocol}.pkl", data, "pickle")
    data = pickle.dumps([1, Evil(os.system, "echo pwned")], protocol=protocol)
    assert ("posix", "system") in resolved_imports(data)
    write(f"pickle/os_system_p{protocol}.pkl", data, "pickle",
          ["scan.pickle.dangerous_import"], True)
    data = pickle.dumps(Evil(eval, "1+1"), protocol=protocol)
    write(f"pickle/eval_p{protocol}.pkl", data, "pickle",
          ["scan.pickle.dangerous_import"], True)
    import argparse
    data = pickle.dumps(argparse.Namespace(a=1), protocol=protocol)
    write(f"pickle/not_allowed_p{protocol}.pkl", data, "pickle",
          ["scan.pickle.import"])

import subprocess  # noqa: E402  (only named, never run)
import runpy  # noqa: E402
import webbrowser  # noqa: E402
import operator  # noqa: E402
import functools  # noqa: E402
for name, func in [("subprocess_popen", subprocess.Popen),
                   ("runpy", runpy.run_path), ("webbrowser", webbrowser.open),
                   ("getattr", getattr),
                   ("attrgetter", operator.attrgetter),
                   ("partial", functools.partial),
                   ("exec", exec), ("compile", compile), ("import", __import__),
                   ("open", open)]:
    write(f"pickle/{name}.pkl", pickle.dumps(Evil(func, "x"), protocol=4),
          "pickle", ["scan.pickle.dangerous_import"], True)

# Nested pickle.loads: the outer import is dangerous whatever the inner holds.
inner = pickle.dumps(Evil(os.system, "echo inner"), protocol=2)
data = pickle.dumps(Evil(pickle.loads, inner), protocol=4)
write("pickle/nested_loads.pkl", data, "pickle",
      ["scan.pickle.dangerous_import"], True)

# Several pickles in a row: the second one is malicious.
write("pickle/two_pickles.pkl",
      pickle.dumps({"ok": 1}, protocol=4) +
      pickle.dumps(Evil(os.system, "x"), protocol=4),
      "pickle", ["scan.pickle.dangerous_import"], True)
# A pickle followed by bytes that are no pickle: loaders stop before them.
write("pickle/trailing_junk.pkl", pickle.dumps([1, 2], protocol=2) + b"\xff\xfe",
      "pickle", ["scan.pickle.trailing_data"])

# Truncated streams: the import before the cut still counts.
evil = pickle.dumps(Evil(os.system, "echo cut"), protocol=2)
write("pickle/truncated_evil.pkl", evil[:-3], "pickle",
      ["scan.pickle.dangerous_import", "scan.pickle.malformed"], True)
write("pickle/truncated_benign.pkl", pickle.dumps(list(range(100)), protocol=4)[:-20],
      "pickle", ["scan.pickle.malformed"])

# --- Hand-built bypass tricks ---------------------------------------------------

def u(text):  # SHORT_BINUNICODE
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


# Memo confusion: MEMOIZE stores at len(memo), not at the highest index, so
# after BINPUT 5 the next MEMOIZE writes index 1.
memo = (b"\x80\x04" + u("posix") + b"q\x05" + u("system") + b"\x94" +
        b"0" + b"0" +          # drop both strings from the stack
        b"h\x05" + b"h\x01" +  # BINGET 5 -> posix, BINGET 1 -> system
        b"\x93" + u("echo memo") + b"\x85R.")
assert ("posix", "system") in resolved_imports(memo), resolved_imports(memo)
write("tricks/memo_confusion.pkl", memo, "pickle",
      ["scan.pickle.dangerous_import"], True)

# PUT overwriting an entry, then MEMOIZE: MEMOIZE must use the entry count.
memo2 = (b"\x80\x04" + u("collections") + b"\x94" + u("OrderedDict") + b"\x94" +
         u("posix") + b"q\x00" +  # overwrite memo[0]: count stays 2
         u("system") + b"\x94" +  # memo[2]
         b"0000" + b"h\x00h\x02\x93" + u("x") + b"\x85R.")
assert ("posix", "system") in resolved_imports(memo2), resolved_imports(memo2)
write("tricks/memo_put_overwrite.pkl", memo2, "pickle",
      ["scan.pickle.dangerous_import"], True)

# Protocol 0 PUT/GET with text indices, including Python int() spellings.
memo3 = b"S'posix'\np 1_0\n0S'system'\np+3\n0g10\ng 3 \n\x93(S'x'\ntR."
assert ("posix", "system") in resolved_imports(memo3), resolved_imports(memo3)
write("tricks/memo_text_indices.pkl", memo3, "pickle",
      ["scan.pickle.dangerous_import"], True)

# Escaped names: STRING with \x escapes, UNICODE with \u escapes.
esc = b"S'po\\x73ix'\nS'sy\\163tem'\n\x93(S'x'\ntR."
assert ("posix", "system") in resolved_imports(esc), resolved_imports(esc)
write("tricks/escaped_string_names.pkl", esc, "pickle",
      ["scan.pickle.dangerous_import"], True)
esc2 = b"\x80\x04V\\u0070osix\nV\\u0073ystem\n\x93" + u("x") + b"\x85R."
assert ("posix", "system") in resolved_imports(esc2), resolved_imports(esc2)
write("tricks/unicode_escape_names.pkl", esc2, "pickle",
      ["scan.pickle.dangerous_import"], True)

# INST (protocol 0) and Python 2 module names.
inst = b"(S'echo inst'\nios\nsystem\n."
assert ("os", "system") in resolved_imports(inst)
write("tricks/inst_opcode.pkl", inst, "pickle",
      ["scan.pickle.dangerous_import"], True)
py2 = b"c__builtin__\neval\n(S'1'\ntR."
assert ("__builtin__", "eval") in resolved_imports(py2)  # mapped by find_class
write("tricks/python2_builtin.pkl", py2, "pickle",
      ["scan.pickle.dangerous_import"], True)

# Attribute chains through allowed modules (protocol 4 dotted names).
chain = (b"\x80\x04" + u("collections") +
         u("OrderedDict.__init__.__globals__") + b"\x93.")
assert ("collections", "OrderedDict.__init__.__globals__") in resolved_imports(chain)
write("tricks/attribute_chain.pkl", chain, "pickle",
      ["scan.pickle.attribute_chain"])
chain2 = b"\x80\x04" + u("torch._utils") + u("__builtins__") + b"\x93."
write("tricks/dunder_name.pkl", chain2, "pickle", ["scan.pickle.attribute_chain"])

# STACK_GLOBAL whose operands are computed at load time.
dynamic = (b"\x80\x04" + u("_codecs") + u("encode") + b"\x93" + u("posix") +
           u("latin1") + b"\x86R" + u("system") + b"\x93.")
write("tricks/dynamic_stack_global.pkl", dynamic, "pickle",
      ["scan.pickle.dynamic_global"])
# EXT opcodes: the copyreg registry cannot be resolved statically.
write("tricks/ext1.pkl", b"\x80\x02\x82\x01.", "pickle",
      ["scan.pickle.extension"])
# GLOBAL hidden behind a FRAME and an unknown opcode afterwards.
write("tricks/unknown_opcode.pkl",
      b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00cposix\nsystem\n\xff.",
      "pickle", ["scan.pickle.dangerous_import", "scan.pickle.malformed"], True)
write("tricks/stack_underflow.pkl", b"\x80\x02R.", "pickle",
      ["scan.pickle.malformed"])
write("tricks/memo_missing.pkl", b"\x80\x02h\x07.", "pickle",
      ["scan.pickle.malformed"])
# An unknown protocol: the loader refuses it before any opcode runs.
write("tricks/protocol_6.pkl", b"\x80\x06N.", "unknown")
write("tricks/proto_6_later.pkl", b"\x80\x02cposix\nsystem\n\x80\x06.", "pickle",
      ["scan.pickle.dangerous_import", "scan.pickle.malformed"], True)

# --- PyTorch ------------------------------------------------------------------

def torch_zip(data_pkl, name="archive", pickle_member="data.pkl", flags=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{name}/{pickle_member}", data_pkl)
        archive.writestr(f"{name}/byteorder", "little")
        archive.writestr(f"{name}/data/0", struct.pack("<4f", 1, 2, 3, 4))
        archive.writestr(f"{name}/data/1", struct.pack("<2f", 0.5, -0.5))
        archive.writestr(f"{name}/version", "3\n")
        archive.writestr(f"{name}/.data/serialization_id", "1234567890\n")
    return buffer.getvalue()


benign_torch = torch_zip(torch_pickle(benign_state()))
write("torch/benign.pt", benign_torch, "pytorch-zip")
# Storage bytes that happen to start like a pickle must not be findings.
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
    archive.writestr("archive/data.pkl", torch_pickle(benign_state()))
    archive.writestr("archive/data/0", b"\x80\x02" + bytes(range(256)) * 4)
    archive.writestr("archive/data/1", b"(" + b"\x00" * 63)
    archive.writestr("archive/version", "3\n")
write("torch/storage_looks_like_pickle.pt", buffer.getvalue(), "pytorch-zip")

evil_state = collections.OrderedDict(w=FakeTensor("0", 4),
                                     x=Evil(os.system, "echo torch"))
write("torch/evil.pt", torch_zip(torch_pickle(evil_state)), "pytorch-zip",
      ["scan.pickle.dangerous_import"], True)
# A pickle under a non-standard member name.
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
    archive.writestr("archive/data.pkl", torch_pickle(benign_state()))
    archive.writestr("archive/extra/weights.bin",
                     pickle.dumps(Evil(os.system, "hidden"), protocol=2))
    archive.writestr("archive/version", "3\n")
write("torch/hidden_member.pt", buffer.getvalue(), "pytorch-zip",
      ["scan.pickle.dangerous_import"], True)

# Flag bits and bad CRCs: PyTorch ignores both, so the scanner must too.
raw = bytearray(torch_zip(torch_pickle(evil_state)))
for signature, flag_at, crc_at in ((b"PK\x03\x04", 6, 14), (b"PK\x01\x02", 8, 16)):
    start = 0
    while (start := raw.find(signature, start)) >= 0:
        raw[start + flag_at] |= 0x01 | 0x08  # "encrypted", data descriptor
        raw[start + crc_at:start + crc_at + 4] = b"\xde\xad\xbe\xef"
        start += 4
write("torch/flags_and_bad_crc.pt", bytes(raw), "pytorch-zip",
      ["scan.pickle.dangerous_import"], True)

# Legacy torch.save: magic, protocol, sys_info, main pickle, storage keys,
# then raw storages.
legacy = b"".join([
    pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2),
    pickle.dumps(1001, protocol=2),
    pickle.dumps({"protocol_version": 1001, "little_endian": True,
                  "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2),
    torch_pickle(benign_state()),
    pickle.dumps(["0", "1"], protocol=2),
    struct.pack("<q", 4), struct.pack("<4f", 1, 2, 3, 4),
    struct.pack("<q", 2), b"\x80\x02cposix\nsystem\n",  # raw storage bytes
])
write("torch/legacy_benign.pt", legacy, "pytorch-legacy")
legacy_evil = b"".join([
    pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2),
    pickle.dumps(1001, protocol=2),
    pickle.dumps({"little_endian": True}, protocol=2),
    torch_pickle(evil_state), pickle.dumps(["0"], protocol=2),
    struct.pack("<q", 4), struct.pack("<4f", 1, 2, 3, 4)])
write("torch/legacy_evil.pt", legacy_evil, "pytorch-legacy",
      ["scan.pickle.dangerous_import"], True)

# --- Compressed wrappers ----------------------------------------------------------

evil_pickle = pickle.dumps(Evil(os.system, "echo wrapped"), protocol=4)
write("wrappers/evil.pkl.gz", gzip.compress(evil_pickle), "gzip",
      ["scan.wrapper.unexpected", "scan.pickle.dangerous_import"], True)
write("wrappers/evil.pkl.bz2", bz2.compress(evil_pickle), "bzip2",
      ["scan.wrapper.unexpected", "scan.pickle.dangerous_import"], True)
write("wrappers/evil.pkl.xz", lzma.compress(evil_pickle), "xz",
      ["scan.wrapper.unexpected", "scan.pickle.dangerous_import"], True)
# zstd single-segment frame with one raw block (RFC 8878 3.1.1).
small = pickle.dumps(Evil(os.system, "z"), protocol=2)
assert len(small) < 256
frame = (b"\x28\xb5\x2f\xfd" + bytes([0x20, len(small)]) +
         (1 | (len(small) << 3)).to_bytes(3, "little") + small)
write("wrappers/evil.pkl.zst", frame, "zstd",
      ["scan.wrapper.unexpected", "scan.pickle.dangerous_import"], True)
# joblib-style: a raw zlib stream around a pickle.
write("wrappers/evil.pkl.z", zlib.compress(evil_pickle), "gzip",
      ["scan.wrapper.unexpected", "scan.pickle.dangerous_import"], True)
write("wrappers/benign_torch.pt.gz", gzip.compress(benign_torch), "gzip",
      ["scan.wrapper.unexpected"])
write("wrappers/corrupt.gz", gzip.compress(evil_pickle)[:20] + b"\x00" * 30,
      "gzip", ["scan.wrapper.unexpected", "scan.wrapper.malformed"])
write("wrappers/archive.7z", b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 24, "7z",
      ["scan.container.unsupported"])
# A bzip2 bomb: 32 MiB of zeros compress to about a hundred bytes.
write("wrappers/bomb.bz2", bz2.compress(b"\x00" * (32 << 20)), "bzip2",
      ["scan.wrapper.unexpected", "scan.limit"])

# tar with a malicious member, gzip-compressed (tar.gz is not "unexpected").
import tarfile  # noqa: E402
buffer = io.BytesIO()
with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
    for member, payload in (("model/config.json", b"{}"),
                            ("model/weights.pkl", evil_pickle)):
        info = tarfile.TarInfo(member)
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
write("wrappers/model.tar.gz", buffer.getvalue(), "gzip",
      ["scan.pickle.dangerous_import"], True)

# --- Zip structure ----------------------------------------------------------------

def zip_bytes(members, method=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, payload in members:
            archive.writestr(name, payload)
    return buffer.getvalue()


# Overlapping members: a second central entry pointing at the first's data.
one = bytearray(zip_bytes([("a.bin", b"A" * 1000)], zipfile.ZIP_STORED))
cd = one.find(b"PK\x01\x02")
eocd = one.find(b"PK\x05\x06")
entry = bytes(one[cd:eocd])
dup = bytearray(entry)
dup[46:51] = b"b.bin"
new_cd = entry + bytes(dup)
end = bytearray(one[eocd:])
struct.pack_into("<HHI", end, 8, 2, 2, len(new_cd))
write("zip/overlap.zip", bytes(one[:cd]) + new_cd + bytes(end), "zip",
      ["scan.zip.overlap"])
write("zip/no_directory.zip", bytes(one[:cd]), "zip", ["scan.zip.malformed"])
# Nested zips, deeper than the container limit, with a pickle at the bottom.
nested = evil_pickle
for level in range(10):
    nested = zip_bytes([(f"level{level}.bin", nested)])
write("zip/deep_nesting.zip", nested, "zip", ["scan.limit"])
nested = evil_pickle
for level in range(3):
    nested = zip_bytes([(f"level{level}.zip", nested)])
write("zip/nested_evil.zip", nested, "zip",
      ["scan.pickle.dangerous_import"], True)
# Duplicate names: both are scanned.
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as archive:
    archive.writestr("x.pkl", pickle.dumps([1], protocol=2))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        archive.writestr("x.pkl", evil_pickle)
write("zip/duplicate_names.zip", buffer.getvalue(), "zip",
      ["scan.zip.duplicate_name", "scan.pickle.dangerous_import"], True)
write("zip/lzma_member.zip",
      zip_bytes([("w.pkl", evil_pickle)], zipfile.ZIP_LZMA), "zip",
      ["scan.zip.unsupported_method"])
write("zip/bzip2_member.zip",
      zip_bytes([("w.pkl", evil_pickle)], zipfile.ZIP_BZIP2), "zip",
      ["scan.pickle.dangerous_import"], True)
write("zip/deflate_bomb.zip",
      zip_bytes([("zeros.bin", b"\x00" * (64 << 20))]), "zip")

# --- NumPy ---------------------------------------------------------------------

import numpy  # noqa: E402
buffer = io.BytesIO()
numpy.save(buffer, numpy.arange(12, dtype=numpy.float32).reshape(3, 4))
write("numpy/benign.npy", buffer.getvalue(), "numpy")
buffer = io.BytesIO()
numpy.savez(buffer, a=numpy.zeros(3), b=numpy.ones((2, 2), dtype=numpy.int64))
write("numpy/benign.npz", buffer.getvalue(), "numpy-zip")
buffer = io.BytesIO()
numpy.save(buffer, numpy.array([{"a": 1}, None], dtype=object), allow_pickle=True)
write("numpy/object.npy", buffer.getvalue(), "numpy", ["scan.numpy.object_dtype"])
buffer = io.BytesIO()
numpy.save(buffer, numpy.array([Evil(os.system, "npy"), 1], dtype=object),
           allow_pickle=True)
write("numpy/object_evil.npy", buffer.getvalue(), "numpy",
      ["scan.numpy.object_dtype", "scan.pickle.dangerous_import"], True)
buffer = io.BytesIO()
numpy.savez_compressed(buffer, w=numpy.array([Evil(os.system, "npz")], dtype=object))
write("numpy/object_evil.npz", buffer.getvalue(), "numpy-zip",
      ["scan.numpy.object_dtype", "scan.pickle.dangerous_import"], True)
# A pickled ndarray is on the allow-list.
write("numpy/ndarray.pkl", pickle.dumps(numpy.arange(5), protocol=2), "pickle")
write("numpy/ndarray_p5.pkl", pickle.dumps(numpy.arange(5), protocol=5), "pickle")

# --- safetensors ---------------------------------------------------------------

def safetensors(tensors, metadata=None, raw_header=None, tail=b""):
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    data = b""
    for name, (dtype, shape, payload) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = raw_header if raw_header is not None else json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # the reference writer pads with spaces
    return struct.pack("<Q", len(text)) + text + data + tail


good = {"w": ("F32", [2, 2], b"\x00" * 16), "b": ("BF16", [3], b"\x00" * 6),
        "e": ("I64", [0], b"")}
write("safetensors/benign.safetensors",
      safetensors(good, {"format": "pt"}), "safetensors")
write("safetensors/trailing_bytes.safetensors",
      safetensors(good, tail=zip_bytes([("x.pkl", evil_pickle)])),
      "safetensors", ["scan.safetensors.layout"])
write("safetensors/duplicate_key.safetensors", safetensors({}, raw_header=(
    b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
    b'"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}')) + b"\x00" * 4,
    "safetensors", ["scan.safetensors.header"])
write("safetensors/unknown_dtype.safetensors",
      safetensors({"w": ("F128", [1], b"\x00" * 16)}), "safetensors",
      ["scan.safetensors.tensor"])
write("safetensors/shape_mismatch.safetensors",
      safetensors({"w": ("F32", [3], b"\x00" * 8)}), "safetensors",
      ["scan.safetensors.tensor"])
write("safetensors/shape_overflow.safetensors", safetensors({}, raw_header=(
    b'{"w":{"dtype":"F32","shape":[4294967296,4294967296],'
    b'"data_offsets":[0,0]}}')), "safetensors", ["scan.safetensors.tensor"])
write("safetensors/extra_field.safetensors", safetensors({}, raw_header=(
    b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}')) + b"\x00" * 4,
    "safetensors", ["scan.safetensors.tensor"])
write("safetensors/gap.safetensors", safetensors({}, raw_header=(
    b'{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},'
    b'"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}')) + b"\x00" * 6,
    "safetensors", ["scan.safetensors.layout"])
write("safetensors/overlap.safetensors", safetensors({}, raw_header=(
    b'{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},'
    b'"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}')) + b"\x00" * 4,
    "safetensors", ["scan.safetensors.layout"])
write("safetensors/bad_metadata.safetensors",
      safetensors(good, {"epochs": 3}), "safetensors",
      ["scan.safetensors.metadata"])
write("safetensors/header_past_end.safetensors",
      struct.pack("<Q", 1 << 20) + b'{"a":1}', "safetensors",
      ["scan.safetensors.header"])
write("safetensors/header_over_100mb.safetensors",
      struct.pack("<Q", 200_000_000) + b'{"a":1}', "safetensors",
      ["scan.safetensors.header"])
write("safetensors/not_utf8.safetensors",
      safetensors({}, raw_header=b'{"\xff":1}'), "safetensors",
      ["scan.safetensors.header"])

# --- GGUF ------------------------------------------------------------------------

def gstr(text):
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def gguf(metadata, tensors, version=3, alignment=32, data=None):
    """metadata: [(key, type, packed value)]; tensors: [(name, dims, type,
    offset, nbytes)]."""
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(metadata))
    for key, kind, value in metadata:
        out += gstr(key) + struct.pack("<I", kind) + value
    for name, dims, kind, offset, _ in tensors:
        out += gstr(name) + struct.pack("<I", len(dims))
        out += b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", kind, offset)
    out += b"\x00" * (-len(out) % alignment)
    if data is None:
        end = max([offset + size for _, _, _, offset, size in tensors] or [0])
        data = b"\x00" * end
    return out + data


tokens = struct.pack("<IQ", 8, 3) + gstr("<s>") + gstr("</s>") + gstr("hi")
chat = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}"
meta = [("general.architecture", 8, gstr("llama")),
        ("general.alignment", 4, struct.pack("<I", 32)),
        ("llama.context_length", 4, struct.pack("<I", 4096)),
        ("general.flag", 7, b"\x01"),
        ("tokenizer.ggml.tokens", 9, tokens),
        ("tokenizer.chat_template", 8, gstr(chat))]
tensors = [("tok_embd.weight", [64, 2], 0, 0, 512),        # F32
           ("blk.0.attn_q.weight", [64, 2], 8, 512, 136)]  # Q8_0: 2 blocks x 34 x 2
write("gguf/benign.gguf", gguf(meta, tensors), "gguf")
evil_chat = ("{{ cycler.__init__.__globals__.os.popen('id').read() }}")
write("gguf/chat_template_injection.gguf",
      gguf(meta[:-1] + [("tokenizer.chat_template", 8, gstr(evil_chat))], tensors),
      "gguf", ["scan.gguf.chat_template"], True)
write("gguf/version_1.gguf", gguf(meta, tensors, version=1), "gguf",
      ["scan.gguf.header"])
write("gguf/unknown_type.gguf",
      gguf(meta, [("t", [64], 99, 0, 64)]), "gguf", ["scan.gguf.tensor"])
write("gguf/five_dims.gguf",
      gguf(meta, [("t", [1, 1, 1, 1, 1], 0, 0, 4)]), "gguf", ["scan.gguf.tensor"])
write("gguf/misaligned.gguf",
      gguf(meta, [("t", [4], 0, 4, 16)]), "gguf", ["scan.gguf.tensor"])
write("gguf/overlap.gguf",
      gguf(meta, [("a", [64], 0, 0, 256), ("b", [64], 0, 128, 256)]), "gguf",
      ["scan.gguf.layout"])
write("gguf/past_end.gguf",
      gguf(meta, [("a", [64], 0, 0, 256)], data=b"\x00" * 100), "gguf",
      ["scan.gguf.layout"])
write("gguf/block_mismatch.gguf",
      gguf(meta, [("a", [33], 8, 0, 64)]), "gguf", ["scan.gguf.tensor"])
write("gguf/size_overflow.gguf",
      gguf(meta, [("a", [1 << 40, 1 << 40], 0, 0, 0)], data=b""), "gguf",
      ["scan.gguf.tensor"])
write("gguf/bad_alignment.gguf",
      gguf([("general.alignment", 4, struct.pack("<I", 24))], []), "gguf",
      ["scan.gguf.metadata"])
write("gguf/bad_bool.gguf", gguf([("x", 7, b"\x02")], []), "gguf",
      ["scan.gguf.metadata"])
write("gguf/unknown_value_type.gguf", gguf([("x", 13, b"")], []), "gguf",
      ["scan.gguf.metadata"])
write("gguf/huge_counts.gguf",
      b"GGUF" + struct.pack("<IQQ", 3, 1 << 62, 1 << 62), "gguf", ["scan.limit"])
write("gguf/huge_string.gguf",
      b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 60),
      "gguf", ["scan.gguf.metadata"])
write("gguf/deep_arrays.gguf",
      gguf([("x", 9, struct.pack("<IQ", 9, 1) * 6 + struct.pack("<IQ", 0, 0))],
           []), "gguf", ["scan.gguf.metadata"])
write("gguf/truncated.gguf", gguf(meta, tensors)[:60], "gguf",
      ["scan.gguf.header"])
write("gguf/duplicate_key.gguf",
      gguf([("a", 7, b"\x01"), ("a", 7, b"\x00")], []), "gguf",
      ["scan.gguf.metadata"])

# --- Keras -------------------------------------------------------------------------

def keras(config):
    return zip_bytes([("metadata.json", json.dumps({"keras_version": "3.0.0"})),
                      ("config.json", json.dumps(config)),
                      ("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)])


dense = {"module": "keras.layers", "class_name": "Dense",
         "config": {"units": 2}, "registered_name": None}
model = {"module": "keras", "class_name": "Sequential",
         "config": {"layers": [dense]}}
write("keras/benign.keras", keras(model), "keras")
lam = {"module": "keras.layers", "class_name": "Lambda",
       "config": {"function": {"class_name": "__lambda__",
                               "config": {"code": "4wEAAAAAAAAA"}}}}
write("keras/lambda.keras",
      keras({**model, "config": {"layers": [dense, lam]}}), "keras",
      ["scan.keras.lambda"])
foreign = {"module": "os", "class_name": "system", "config": {}}
write("keras/foreign_module.keras",
      keras({**model, "config": {"layers": [foreign]}}), "keras",
      ["scan.keras.module"])
h5_config = json.dumps({"class_name": "Sequential",
                        "config": {"layers": [{"class_name": "Lambda",
                                               "config": {}}]}}).encode()
write("keras/lambda.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 100 + b"model_config" +
      b"\x00" * 20 + h5_config + b"\x00" * 50, "hdf5", ["scan.keras.lambda"])
write("keras/plain.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 200, "hdf5")

# --- Remote code, text, JSON --------------------------------------------------------

write("remote/config.json",
      json.dumps({"model_type": "x",
                  "auto_map": {"AutoModel": "modeling_x.XModel"}}).encode(),
      "json", ["scan.remote_code.auto_map"])
write("remote/modeling_x.py", b"import os\nprint('hi')\n", "python",
      ["scan.remote_code.python"])
write("remote/plain_config.json", b'{"model_type": "bert", "hidden": 768}',
      "json")
write("remote/README.md", b"# A model\n\nIntroduction (with parentheses).\n",
      "text")
write("remote/notes.txt", b"(just text in parentheses)\n", "text")
write("remote/broken/config.json", b'{"model_type": ', "json",
      ["scan.json.malformed"])
write("keras/broken.keras", zip_bytes([("metadata.json", "{}"),
                                       ("config.json", "{not json")]),
      "keras", ["scan.keras.malformed"])
write("numpy/bad_version.npy", b"\x93NUMPY\x09\x00\x10\x00{'descr': '<f4'}",
      "numpy", ["scan.numpy.malformed"])
buffer = io.BytesIO()
with tarfile.open(fileobj=buffer, mode="w") as archive:
    for member in ("a.txt", "b.txt"):
        info = tarfile.TarInfo(member)
        info.size = 6
        archive.addfile(info, io.BytesIO(b"hello\n"))
write("wrappers/truncated.tar", buffer.getvalue()[:1100], "tar",
      ["scan.tar.malformed"])
write("remote/data.bin", bytes(range(256)) * 8, "unknown")
write("remote/empty.bin", b"", "unknown")

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump({"cases": CASES}, f, indent=1)
print(len(CASES))
