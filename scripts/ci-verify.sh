#!/usr/bin/env bash
# Gates a CI job on an alliance policy: runs `modelseal verify --policy` on a
# model with the report format a CI system understands, and exits with
# verify's exit code. The GitHub Action (action.yml) and the GitLab CI
# template (ci/gitlab/modelseal.gitlab-ci.yml) both call it; it runs the same
# anywhere bash does. Reference: docs/ci.md.
#
# Inputs are environment variables (a composite action does not receive
# INPUT_* variables, and hyphenated input names are not shell variables, so
# action.yml passes each input under the name below):
#
#   MODELSEAL_MODEL               model folder or file (required)
#   MODELSEAL_SIGNATURES          signature bundle(s), separated by spaces or
#                                 newlines; one per line if a path has spaces
#                                 (required)
#   MODELSEAL_POLICY              alliance policy, YAML or JSON (required)
#   MODELSEAL_POLICY_SIGNATURE    the policy's bundle (modelseal policy sign)
#   MODELSEAL_POLICY_KEY          governance public key: a PEM file, or the PEM
#                                 text itself (e.g. from a CI variable)
#   MODELSEAL_ALLOW_UNSIGNED_POLICY  true: accept an unsigned policy (drafting
#                                 only); otherwise the two above are required
#   MODELSEAL_FORMAT              sarif (default), github, json or text
#   MODELSEAL_SARIF_FILE          where format=sarif writes (default
#                                 modelseal.sarif)
#   MODELSEAL_JSON_FILE           where format=json writes (default
#                                 modelseal-report.json)
#   MODELSEAL_CODEQUALITY_FILE    with format=sarif: also write a GitLab Code
#                                 Quality report here (needs python3)
#   MODELSEAL_PATH_PREFIX         prefix for file locations in annotations and
#                                 SARIF: auto (default: the model path when it
#                                 is a relative folder, so locations are
#                                 repository paths), none, or a path
#   MODELSEAL_STATE_DIR           policy rollback state (default: modelseal's,
#                                 $XDG_STATE_HOME/modelseal)
#   MODELSEAL_STRICT              true: warnings fail too (default false)
#   MODELSEAL_IGNORE_PATHS        more paths to leave out of the model
#   MODELSEAL_THREADS             worker threads (default: one per CPU)
#   MODELSEAL_BIN                 the modelseal binary (default: from PATH)
#
# When GITHUB_OUTPUT is set it receives exit-code, verdict (passed, failed,
# error) and report-file; GITHUB_STEP_SUMMARY receives a short summary.
# Exit codes: verify's (0 pass, 1 policy violated or policy not trusted,
# 3 malformed policy/bundle/card, 4 I/O); 2 when an input above is missing
# or wrong (nothing is run); 4 also when the modelseal binary is not found.
set -uo pipefail

fail_usage() {
  echo "ci-verify: $*" >&2
  if [[ "${GITHUB_ACTIONS:-}" == "true" ]]; then
    echo "::error title=modelseal::$(escape_annotation "$*")"
  fi
  write_outputs 2 error ""
  exit 2
}

# Workflow-command message escaping (%, CR, LF), as the runner decodes it.
escape_annotation() {
  local text="$1"
  text="${text//'%'/%25}"
  text="${text//$'\r'/%0D}"
  text="${text//$'\n'/%0A}"
  printf '%s' "$text"
}

write_outputs() {
  local code="$1" verdict="$2" report="$3"
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    {
      echo "exit-code=$code"
      echo "verdict=$verdict"
      echo "report-file=$report"
    } >>"$GITHUB_OUTPUT"
  fi
}

# true/false only, like the policy document's booleans.
check_bool() {
  local name="$1" value="${!1:-false}"
  case "$value" in
    true | false) ;;
    *) fail_usage "$name must be true or false, not '$value'" ;;
  esac
}

# Splits a list input: one item per line when it has several lines (paths
# with spaces), otherwise on whitespace. Result in the array named $2.
split_list() {
  local value="$1" line
  local -n result="$2"
  result=()
  if [[ "$value" == *$'\n'* ]]; then
    while IFS= read -r line; do
      line="${line#"${line%%[![:space:]]*}"}"
      line="${line%"${line##*[![:space:]]}"}"
      [[ -n "$line" ]] && result+=("$line")
    done <<<"$value"
  else
    read -r -a result <<<"$value"
  fi
}

require_file() {
  local name="$1" path="$2"
  if [[ ! -e "$path" ]]; then
    fail_usage "$name: '$path' does not exist (working directory $PWD)"
  fi
}

work="$(mktemp -d)" || { echo "ci-verify: cannot create a temporary directory" >&2; exit 4; }
trap 'rm -rf "$work"' EXIT

# --- inputs -----------------------------------------------------------------
model="${MODELSEAL_MODEL:-}"
policy="${MODELSEAL_POLICY:-}"
policy_signature="${MODELSEAL_POLICY_SIGNATURE:-}"
policy_key="${MODELSEAL_POLICY_KEY:-}"
format="${MODELSEAL_FORMAT:-sarif}"
path_prefix="${MODELSEAL_PATH_PREFIX:-auto}"
check_bool MODELSEAL_ALLOW_UNSIGNED_POLICY
check_bool MODELSEAL_STRICT
allow_unsigned="${MODELSEAL_ALLOW_UNSIGNED_POLICY:-false}"
strict="${MODELSEAL_STRICT:-false}"
signatures=()
ignore_paths=()
split_list "${MODELSEAL_SIGNATURES:-}" signatures
split_list "${MODELSEAL_IGNORE_PATHS:-}" ignore_paths

[[ -n "$model" ]] || fail_usage "MODELSEAL_MODEL is not set: the model folder or file to verify"
[[ ${#signatures[@]} -gt 0 ]] || fail_usage "MODELSEAL_SIGNATURES is not set: the model's signature bundle(s)"
[[ -n "$policy" ]] || fail_usage "MODELSEAL_POLICY is not set: the alliance policy to verify against (docs/policy.md)"
case "$format" in
  sarif | github | json | text) ;;
  *) fail_usage "MODELSEAL_FORMAT must be sarif, github, json or text, not '$format'" ;;
esac
require_file MODELSEAL_MODEL "$model"
for signature in "${signatures[@]}"; do require_file MODELSEAL_SIGNATURES "$signature"; done
require_file MODELSEAL_POLICY "$policy"

args=(verify "$model" --signature "${signatures[@]}" --policy "$policy" --format "$format")
if [[ "$allow_unsigned" == "true" ]]; then
  if [[ -n "$policy_signature" || -n "$policy_key" ]]; then
    fail_usage "MODELSEAL_ALLOW_UNSIGNED_POLICY=true does not go with MODELSEAL_POLICY_SIGNATURE/MODELSEAL_POLICY_KEY"
  fi
  args+=(--allow-unsigned-policy)
else
  [[ -n "$policy_signature" ]] || fail_usage "MODELSEAL_POLICY_SIGNATURE is not set: the policy's signature bundle (modelseal policy sign), or MODELSEAL_ALLOW_UNSIGNED_POLICY=true while drafting"
  [[ -n "$policy_key" ]] || fail_usage "MODELSEAL_POLICY_KEY is not set: the governance public key (a PEM file or the PEM text)"
  require_file MODELSEAL_POLICY_SIGNATURE "$policy_signature"
  if [[ "$policy_key" == *"-----BEGIN "* ]]; then
    printf '%s\n' "$policy_key" >"$work/governance.pub"
    policy_key="$work/governance.pub"
  else
    require_file MODELSEAL_POLICY_KEY "$policy_key"
  fi
  args+=(--policy-signature "$policy_signature" --policy-key "$policy_key")
fi
[[ "$strict" == "true" ]] && args+=(--strict)
[[ -n "${MODELSEAL_STATE_DIR:-}" ]] && args+=(--state-dir "$MODELSEAL_STATE_DIR")
[[ ${#ignore_paths[@]} -gt 0 ]] && args+=(--ignore-paths "${ignore_paths[@]}")
if [[ -n "${MODELSEAL_THREADS:-}" ]]; then
  [[ "$MODELSEAL_THREADS" =~ ^[1-9][0-9]*$ ]] || fail_usage "MODELSEAL_THREADS must be a positive integer, not '$MODELSEAL_THREADS'"
  args+=(--threads "$MODELSEAL_THREADS")
fi

report=""
case "$format" in
  sarif) report="${MODELSEAL_SARIF_FILE:-modelseal.sarif}" ;;
  json) report="${MODELSEAL_JSON_FILE:-modelseal-report.json}" ;;
esac
codequality="${MODELSEAL_CODEQUALITY_FILE:-}"
if [[ -n "$codequality" ]]; then
  [[ "$format" == "sarif" ]] || fail_usage "MODELSEAL_CODEQUALITY_FILE needs MODELSEAL_FORMAT=sarif"
  command -v python3 >/dev/null || fail_usage "MODELSEAL_CODEQUALITY_FILE needs python3"
fi

# Locations in reports are relative to the model root; CI systems want them
# relative to the repository. Only plain relative folder paths are used as a
# prefix, so no quoting is ever needed in annotations or JSON.
case "$path_prefix" in
  none) path_prefix="" ;;
  auto)
    path_prefix=""
    if [[ -d "$model" && "$model" != /* ]]; then
      path_prefix="${model#./}"
      path_prefix="${path_prefix%/}"
      [[ "$path_prefix" == "." || "/$path_prefix/" == */../* ]] && path_prefix=""
    fi
    ;;
esac
if [[ -n "$path_prefix" ]]; then
  path_prefix="${path_prefix%/}/"
  [[ "$path_prefix" =~ ^[A-Za-z0-9._/-]+$ ]] || path_prefix=""
fi

bin="${MODELSEAL_BIN:-modelseal}"
if ! command -v "$bin" >/dev/null; then
  echo "ci-verify: modelseal not found ('$bin'): install it or set MODELSEAL_BIN" >&2
  [[ "${GITHUB_ACTIONS:-}" == "true" ]] && echo "::error title=modelseal::modelseal not found ('$(escape_annotation "$bin")')"
  write_outputs 4 error ""
  exit 4
fi

# --- run ----------------------------------------------------------------------
# Findings whose location is inside the model (not the bundles given by path).
model_rules='model|model_card|licenses|artifacts|scan'
echo "ci-verify: $bin ${args[*]}" >&2
if [[ -n "$report" ]]; then
  mkdir -p "$(dirname "$report")"
  "$bin" "${args[@]}" >"$report" 2>"$work/stderr"
  code=$?
elif [[ "$format" == "github" && -n "$path_prefix" ]]; then
  "$bin" "${args[@]}" 2>"$work/stderr" |
    sed -E "s#^(::(error|warning|notice) file=)([^,]*,title=($model_rules)[.])#\\1${path_prefix}\\3#"
  code=${PIPESTATUS[0]}
else
  "$bin" "${args[@]}" 2>"$work/stderr"
  code=$?
fi
cat "$work/stderr" >&2

if [[ -n "$report" && ! -s "$report" ]]; then
  rm -f "$report"  # no report (usage, I/O): nothing to upload
  report=""
fi
if [[ "$format" == "sarif" && -n "$report" ]] && command -v python3 >/dev/null; then
  python3 - "$report" "$path_prefix" "$model_rules" "$codequality" <<'PY' || code=4
import hashlib, json, re, sys

report, prefix, model_rules, codequality = sys.argv[1:5]
with open(report, encoding="utf-8") as handle:
    sarif = json.load(handle)
model_rule = re.compile(r"^(%s)\." % model_rules)
issues = []
severity = {"error": "major", "warning": "minor", "note": "info", "none": "info"}
for run in sarif.get("runs", []):
    for result in run.get("results", []):
        rule = result.get("ruleId", "modelseal")
        path = ""
        for location in result.get("locations", []):
            artifact = location.get("physicalLocation", {}).get("artifactLocation", {})
            if "uri" in artifact:
                if prefix and model_rule.match(rule):
                    artifact["uri"] = prefix + artifact["uri"]
                path = path or artifact["uri"]
        message = result.get("message", {}).get("text", "")
        issues.append({
            "description": f"{rule}: {message}",
            "check_name": rule,
            "fingerprint": hashlib.sha256(f"{rule}\0{path}\0{message}".encode()).hexdigest(),
            "severity": severity.get(result.get("level", "warning"), "minor"),
            "location": {"path": path or ".", "lines": {"begin": 1}},
        })
if prefix:
    with open(report, "w", encoding="utf-8") as handle:
        json.dump(sarif, handle, separators=(",", ":"))
if codequality:
    with open(codequality, "w", encoding="utf-8") as handle:
        json.dump(issues, handle, indent=1)
print(f"ci-verify: {len(issues)} finding(s) in {report}", file=sys.stderr)
PY
fi

case "$code" in
  0) verdict=passed ;;
  1) verdict=failed ;;
  *) verdict=error ;;
esac
if [[ "$code" -ge 2 && -s "$work/stderr" ]] &&
   [[ "${GITHUB_ACTIONS:-}" == "true" || "$format" == "github" ]]; then
  echo "::error title=modelseal (exit $code)::$(escape_annotation "$(cat "$work/stderr")")"
fi
write_outputs "$code" "$verdict" "$report"
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  {
    echo "### modelseal: policy ${verdict}"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| model | \`$model\` |"
    echo "| policy | \`$policy\` |"
    echo "| exit code | $code |"
    [[ -n "$report" ]] && echo "| report | \`$report\` ($format) |"
  } >>"$GITHUB_STEP_SUMMARY"
fi
echo "ci-verify: policy $verdict (exit $code)" >&2
exit "$code"
