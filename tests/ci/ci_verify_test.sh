#!/usr/bin/env bash
# scripts/ci-verify.sh run the way a CI runner runs it: inputs as environment
# variables (what action.yml and the GitLab template pass), GITHUB_OUTPUT and
# GITHUB_STEP_SUMMARY pointing at files, CI=true, the working directory as
# the workspace. The model is signed here (the alliance journey of
# scripts/example.sh): a passing run, a failing run on a tampered copy, bad
# inputs, and the action and template agreeing with the script.
#   ci_verify_test.sh MODELSEAL_BINARY SOURCE_DIR
set -euo pipefail
modelseal="$(realpath "$1")"
source_dir="$(realpath "$2")"
script="$source_dir/scripts/ci-verify.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# --- a signed, logged, co-signed model and a signed policy --------------------
mkdir models
cp -r "$source_dir/examples/tiny-model" models/tiny
for who in ibm governance; do "$modelseal" keygen --out "$who" >/dev/null; done
"$modelseal" keygen --type ecdsa-p384 --out meta >/dev/null
"$modelseal" log init log --origin example.com/ai-alliance/releases >/dev/null 2>&1
"$modelseal" sign models/tiny --key ibm.key -o ibm.sig --log log -q
"$modelseal" sign --cosign ibm.sig --key meta.key -o meta.sig --log log -q
python3 "$source_dir/examples/alliance/render_policy.py" \
  "$source_dir/examples/alliance/policy.yaml.in" policy.yaml \
  IBM_PUBLIC_KEY=ibm.pub META_PUBLIC_KEY=meta.pub LOG_KEY=log.vkey
"$modelseal" policy sign policy.yaml --key governance.key -o policy.yaml.sig 2>/dev/null
cp -r models/tiny models/tampered
echo '{"backdoor": true}' >models/tampered/config.json

# Runs the script as a runner would, with a clean environment plus the
# given NAME=VALUE pairs; stdout, stderr and the exit code land in
# run.out, run.err and $code; GITHUB_OUTPUT/SUMMARY in gh-output/gh-summary.
run() {
  : >gh-output
  : >gh-summary
  set +e
  env -i PATH="$PATH" HOME="$work" CI=true GITHUB_ACTIONS=true \
    GITHUB_WORKSPACE="$work" GITHUB_OUTPUT="$work/gh-output" \
    GITHUB_STEP_SUMMARY="$work/gh-summary" MODELSEAL_BIN="$modelseal" \
    MODELSEAL_STATE_DIR="$work/state" "$@" \
    bash "$script" >run.out 2>run.err
  code=$?
  set -e
}

signed=(MODELSEAL_SIGNATURES="ibm.sig meta.sig" MODELSEAL_POLICY=policy.yaml
  MODELSEAL_POLICY_SIGNATURE=policy.yaml.sig MODELSEAL_POLICY_KEY=governance.pub)

expect_code() {
  local want="$1" what="$2"
  if [[ "$code" -ne "$want" ]]; then
    fail "$what: exit $code, want $want"
    sed 's/^/  stdout: /' run.out >&2
    sed 's/^/  stderr: /' run.err >&2
  fi
}

expect_grep() {
  local file="$1" pattern="$2" what="$3"
  grep -qE -- "$pattern" "$file" || fail "$what: no line matching '$pattern' in $file"
}

# --- passing run: SARIF is valid JSON with runs[]; outputs and summary ------
run MODELSEAL_MODEL=models/tiny "${signed[@]}" MODELSEAL_FORMAT=sarif \
  MODELSEAL_SARIF_FILE=reports/pass.sarif
expect_code 0 "passing run"
python3 - reports/pass.sarif <<'PY' || fail "passing run: SARIF is not valid"
import json, sys
sarif = json.load(open(sys.argv[1], encoding="utf-8"))
assert sarif["version"] == "2.1.0", sarif["version"]
assert isinstance(sarif["runs"], list) and sarif["runs"], "no runs"
assert sarif["runs"][0]["tool"]["driver"]["name"] == "modelseal"
assert sarif["runs"][0]["results"] == [], sarif["runs"][0]["results"]
PY
expect_grep gh-output '^exit-code=0$' "passing run"
expect_grep gh-output '^verdict=passed$' "passing run"
expect_grep gh-output '^report-file=reports/pass.sarif$' "passing run"
expect_grep gh-summary 'policy passed' "passing run summary"

# The governance key given as PEM text (a CI variable) works the same.
run MODELSEAL_MODEL=models/tiny "${signed[@]}" MODELSEAL_FORMAT=text \
  MODELSEAL_POLICY_KEY="$(cat governance.pub)"
expect_code 0 "governance key as PEM text"
expect_grep run.out '^PASSED' "governance key as PEM text"

# --- failing run: the tampered file is named in an annotation ----------------
run MODELSEAL_MODEL=models/tampered "${signed[@]}" MODELSEAL_FORMAT=github
expect_code 1 "tampered model (github)"
expect_grep run.out '^::error file=models/tampered/config\.json,title=model\.changed::' \
  "tampered model annotation"
expect_grep gh-output '^verdict=failed$' "tampered model (github)"

run MODELSEAL_MODEL=models/tampered "${signed[@]}" MODELSEAL_FORMAT=sarif \
  MODELSEAL_SARIF_FILE=fail.sarif MODELSEAL_CODEQUALITY_FILE=codequality.json
expect_code 1 "tampered model (sarif)"
python3 - fail.sarif codequality.json <<'PY' || fail "tampered model: reports"
import json, sys
sarif = json.load(open(sys.argv[1], encoding="utf-8"))
results = sarif["runs"][0]["results"]
uris = [l["physicalLocation"]["artifactLocation"]["uri"]
        for r in results if r["ruleId"] == "model.changed" for l in r["locations"]]
assert uris == ["models/tampered/config.json"], uris
issues = json.load(open(sys.argv[2], encoding="utf-8"))
assert [i["check_name"] for i in issues] == ["model.changed"], issues
assert issues[0]["location"]["path"] == "models/tampered/config.json", issues
assert issues[0]["severity"] == "major", issues
PY

# --- bad inputs: a clear error, exit 2, nothing run -------------------------
run MODELSEAL_MODEL=models/tiny MODELSEAL_SIGNATURES=ibm.sig \
  MODELSEAL_POLICY_SIGNATURE=policy.yaml.sig MODELSEAL_POLICY_KEY=governance.pub \
  MODELSEAL_SARIF_FILE=missing.sarif
expect_code 2 "missing policy"
expect_grep run.err 'MODELSEAL_POLICY is not set' "missing policy"
expect_grep run.out '^::error title=modelseal::MODELSEAL_POLICY is not set' "missing policy annotation"
expect_grep gh-output '^exit-code=2$' "missing policy"
[[ ! -e missing.sarif ]] || fail "missing policy: a report was written"

run MODELSEAL_MODEL=models/tiny "${signed[@]}" MODELSEAL_POLICY=no-such-policy.yaml
expect_code 2 "policy file not found"
expect_grep run.err "MODELSEAL_POLICY: 'no-such-policy.yaml' does not exist" "policy file not found"

run MODELSEAL_MODEL=models/tiny "${signed[@]}" MODELSEAL_POLICY_SIGNATURE=
expect_code 2 "unsigned policy without opt-in"
expect_grep run.err 'MODELSEAL_POLICY_SIGNATURE is not set' "unsigned policy without opt-in"

run MODELSEAL_MODEL=models/tiny "${signed[@]}" MODELSEAL_FORMAT=xml
expect_code 2 "unknown format"
expect_grep run.err 'MODELSEAL_FORMAT must be sarif, github, json or text' "unknown format"

run MODELSEAL_MODEL=models/tiny "${signed[@]}" MODELSEAL_STRICT=yes
expect_code 2 "non-boolean strict"
expect_grep run.err 'MODELSEAL_STRICT must be true or false' "non-boolean strict"

run MODELSEAL_MODEL=models/tiny "${signed[@]}" MODELSEAL_BIN=/nonexistent/modelseal
expect_code 4 "modelseal not installed"
expect_grep run.err 'modelseal not found' "modelseal not installed"

# A policy signed by another key is not trusted: verify's exit 1, reported.
run MODELSEAL_MODEL=models/tiny "${signed[@]}" MODELSEAL_POLICY_KEY=ibm.pub \
  MODELSEAL_FORMAT=github
expect_code 1 "policy signed by the wrong key"

# --- action.yml and the GitLab template call the script with its names ------
python3 - "$source_dir" <<'PY' || fail "action.yml / GitLab template"
import re, sys, yaml
root = sys.argv[1]
script = open(f"{root}/scripts/ci-verify.sh", encoding="utf-8").read()
header = script.split("set -uo pipefail", 1)[0]
documented = set(re.findall(r"^#   (MODELSEAL_[A-Z_]+)", header, re.M))
read = set(re.findall(r"\b(MODELSEAL_[A-Z_]+)\b", script.split("set -uo pipefail", 1)[1]))
assert read <= documented, f"read but not documented in the header: {read - documented}"

action = yaml.safe_load(open(f"{root}/action.yml", encoding="utf-8"))
assert action["runs"]["using"] == "composite"
steps = {step.get("id"): step for step in action["runs"]["steps"]}
verify = steps["verify"]
assert "scripts/ci-verify.sh" in verify["run"], verify["run"]
passed = set(verify["env"])
missing = {n for n in passed if n.startswith("MODELSEAL_")} - documented
assert not missing, f"action passes undocumented variables: {missing}"
for name, value in verify["env"].items():
    for used in re.findall(r"inputs\.([a-z0-9-]+)", str(value)):
        assert used in action["inputs"], f"{name} uses unknown input {used}"
used_inputs = set(re.findall(r"inputs\.([a-z0-9-]+)", open(f"{root}/action.yml").read()))
unused = set(action["inputs"]) - used_inputs
assert not unused, f"inputs never used: {unused}"
upload = [s for s in action["runs"]["steps"]
          if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
assert upload and "always()" in upload[0]["if"], upload

gitlab = yaml.safe_load(open(f"{root}/ci/gitlab/modelseal.gitlab-ci.yml", encoding="utf-8"))
job = gitlab[".modelseal-verify"]
assert job["image"].startswith("debian:12"), job["image"]
assert any("scripts/ci-verify.sh" in line for line in job["script"]), job["script"]
for name in job["variables"]:
    if name.startswith("MODELSEAL_") and name not in ("MODELSEAL_SOURCE_URL", "MODELSEAL_SOURCE_REF"):
        assert name in documented, f"template sets undocumented {name}"
assert job["artifacts"]["when"] == "always"
PY

if [[ $failures -ne 0 ]]; then
  echo "ci_verify_test: $failures failure(s)" >&2
  exit 1
fi
echo "ci_verify_test: all checks passed"
