#!/usr/bin/env python3
"""Runs `modelseal verify-blob` on the offline bundle-verify cases of the
Sigstore client conformance suite (github.com/sigstore/sigstore-conformance).

  scripts/sigstore-conformance.py CONFORMANCE_DIR [--modelseal PATH] [-v]

CONFORMANCE_DIR is a checkout of the suite (or its test/assets/bundle-verify
directory). Each case directory holds bundle.sigstore.json and optionally
artifact, identity, issuer, key.pub and trusted_root.json; a name ending in
"_fail" must fail verification (see the suite's bundle-verify/README.md).
The defaults below are the suite's documented ones. Nothing from the suite is
copied into this repository.
"""
import argparse
import os
import subprocess
import sys

DEFAULT_IDENTITY = ("https://github.com/sigstore-conformance/extremely-dangerous-"
                    "public-oidc-beacon/.github/workflows/extremely-dangerous-"
                    "oidc-beacon.yml@refs/heads/main")
DEFAULT_ISSUER = "https://token.actions.githubusercontent.com"

# Cases we do not run, with the reason (reported, never silently dropped).
EXCLUDED = {}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("conformance_dir")
    parser.add_argument("--modelseal", default="build/release/cli/modelseal")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    cases_dir = args.conformance_dir
    nested = os.path.join(cases_dir, "test", "assets", "bundle-verify")
    if os.path.isdir(nested):
        cases_dir = nested
    default_artifact = os.path.join(cases_dir, "a.txt")
    passed, failed, excluded = [], [], []
    for name in sorted(os.listdir(cases_dir)):
        case = os.path.join(cases_dir, name)
        if not os.path.isdir(case):
            continue
        if name in EXCLUDED:
            excluded.append((name, EXCLUDED[name]))
            continue
        expect_ok = not name.endswith("_fail")
        artifact = os.path.join(case, "artifact")
        if not os.path.exists(artifact):
            artifact = default_artifact
        command = [args.modelseal, "verify-blob", artifact, "--bundle",
                   os.path.join(case, "bundle.sigstore.json")]
        key = os.path.join(case, "key.pub")
        if os.path.exists(key):
            command += ["--key", key]
        else:
            identity = os.path.join(case, "identity")
            issuer = os.path.join(case, "issuer")
            command += ["--certificate-identity",
                        read(identity) if os.path.exists(identity)
                        else DEFAULT_IDENTITY,
                        "--certificate-oidc-issuer",
                        read(issuer) if os.path.exists(issuer)
                        else DEFAULT_ISSUER]
        root = os.path.join(case, "trusted_root.json")
        if os.path.exists(root):
            command += ["--trusted-root", root]
        run = subprocess.run(command, capture_output=True, text=True)
        ok = run.returncode == 0
        # A crash or an internal error is never a "pass", even for _fail cases.
        sane = run.returncode in (0, 1, 2, 3)
        message = (run.stderr.strip().splitlines() or [""])[-1]
        if ok == expect_ok and sane:
            passed.append((name, run.returncode, message))
        else:
            failed.append((name, run.returncode, message))
    for name, code, message in failed:
        print(f"FAIL {name}: exit {code}: {message}")
    if args.verbose:
        for name, code, message in passed:
            print(f"pass {name}: exit {code}: {message}")
    for name, reason in excluded:
        print(f"EXCLUDED {name}: {reason}")
    print(f"{len(passed)} passed, {len(failed)} failed, "
          f"{len(excluded)} excluded, of {len(passed) + len(failed) + len(excluded)}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
