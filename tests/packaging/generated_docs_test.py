#!/usr/bin/env python3
"""Checks the generated man page and shell completions against `--help`.

    generated_docs_test.py MODELSEAL_BINARY BUILD_DIR

The list of commands and flags comes from parsing the binary's `--help`
output, command by command, not from the generator: every subcommand and
every long flag must appear in the man page (rendered by groff, without
warnings) and be offered by the bash and fish completions (driven as the
shells drive them) and by the zsh completion function of its command. Also
checks that the files in BUILD_DIR are what the binary prints now, that the
generators stay hidden, and the shape of `--version`.
"""

import os
import re
import shutil
import subprocess
import sys

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
    return condition


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=120,
                          **kwargs)


def parse_help(text):
    """Returns (subcommands, long flags, {flag: choices}, valued flags)."""
    section = None
    subcommands, flags, choices, valued = [], [], {}, set()
    for line in text.splitlines():
        if line and not line.startswith(" "):
            section = line[:-1] if line.endswith(":") else None
            continue
        # Entries start at column 2; wrapped text is indented further.
        if not line.startswith("  ") or line.startswith("   "):
            continue
        fields = line.split()
        if section == "Subcommands":
            subcommands.append(fields[0])
        elif section == "Options":
            names = fields[0].split(",")
            longs = [name for name in names if name.startswith("--")]
            flags.extend(longs)
            # "-s,--signature TEXT ..." takes a value; "--json" shows no type.
            if " " in re.split(r"\s{2,}", line.strip())[0]:
                valued.update(longs)
            member = re.search(r":\{([^}]*)\}", line)
            if member and len(fields) > 1:
                for name in names:
                    choices[name] = member.group(1).split(",")
    return subcommands, flags, choices, valued


def walk_help(binary):
    """{command path tuple: parse_help(...)}, the root being ()."""
    commands = {}
    pending = [()]
    while pending:
        path = pending.pop(0)
        result = run([binary, *path, "--help"])
        check(result.returncode == 0,
              f"modelseal {' '.join(path)} --help exited {result.returncode}")
        parsed = parse_help(result.stdout)
        commands[path] = parsed
        pending.extend(path + (sub,) for sub in parsed[0])
    return commands


def render_man(path):
    result = run(["groff", "-man", "-Tascii", "-ww", "-rLL=200n", "-P-cbou",
                  path])
    check(result.returncode == 0, f"groff failed: {result.stderr}")
    check(result.stderr == "", f"groff warnings:\n{result.stderr}")
    return result.stdout


def check_man(man_path, commands):
    text = render_man(man_path)
    source = open(man_path, encoding="utf-8").read().replace("\\-", "-")
    if shutil.which("man"):
        result = run(["man", "--warnings", "-l", man_path],
                     env=dict(os.environ, MANWIDTH="80", MANPAGER="cat",
                              PAGER="cat"))
        check(result.returncode == 0 and result.stderr == "",
              f"man --warnings -l: {result.stderr}")
    for path, (subcommands, flags, _, _) in commands.items():
        name = " ".join(("modelseal",) + path)
        if path:
            check(f'.SS "{name}"' in source, f"man: no section for {name}")
            check(re.search(rf"^ *{re.escape(name)}\b", text, re.M),
                  f"man: {name} does not render")
        for flag in flags:
            check(re.search(rf"(^|[\s,]){re.escape(flag)}\b", text, re.M),
                  f"man: {name} {flag} missing")
        for sub in subcommands:
            check(f"{name} {sub}" in text, f"man: {name} {sub} missing")


BASH_DRIVER = r"""
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
_modelseal
printf '%s\n' "${COMPREPLY[@]}"
"""


def bash_complete(script, words):
    result = run(["bash", "-c", BASH_DRIVER, "driver", script, *words])
    check(result.returncode == 0, f"bash completion failed: {result.stderr}")
    return set(result.stdout.split())


def check_bash(script, commands):
    result = run(["bash", "-n", script])
    check(result.returncode == 0, f"bash -n: {result.stderr}")
    for path, (subcommands, flags, choices, _) in commands.items():
        words = ["modelseal", *path]
        name = " ".join(words)
        offered = bash_complete(script, words + ["--"])
        for flag in flags:
            check(flag in offered, f"bash: {name} {flag} not offered")
        if subcommands:
            offered = bash_complete(script, words + [""])
            for sub in subcommands:
                check(sub in offered, f"bash: {name} {sub} not offered")
        for flag, values in choices.items():
            offered = bash_complete(script, words + [flag, ""])
            check(offered == set(values),
                  f"bash: {name} {flag} offers {sorted(offered)}")


def fish_complete(script, line):
    result = run(["fish", "--no-config", "-c",
                  f"source {script}; complete -C {quote_fish(line)}"])
    check(result.returncode == 0, f"fish completion failed: {result.stderr}")
    return {entry.split("\t")[0] for entry in result.stdout.splitlines()}


def quote_fish(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def check_fish(script, commands):
    if not shutil.which("fish"):
        print("fish not installed: fish checks skipped")
        return
    result = run(["fish", "--no-execute", script])
    check(result.returncode == 0, f"fish -n: {result.stderr}")
    for path, (subcommands, flags, choices, _) in commands.items():
        name = " ".join(("modelseal",) + path)
        offered = fish_complete(script, f"{name} --")
        for flag in flags:
            check(flag in offered, f"fish: {name} {flag} not offered")
        if subcommands:
            offered = fish_complete(script, f"{name} ")
            for sub in subcommands:
                check(sub in offered, f"fish: {name} {sub} not offered")
        for flag, values in choices.items():
            if flag.startswith("--"):
                offered = fish_complete(script, f"{name} {flag} ")
                check(set(values) <= offered,
                      f"fish: {name} {flag} offers {sorted(offered)}")


def check_zsh(script, commands):
    if shutil.which("zsh"):
        result = run(["zsh", "-n", script])
        check(result.returncode == 0, f"zsh -n: {result.stderr}")
    else:
        print("zsh not installed: zsh -n skipped")
    text = open(script, encoding="utf-8").read()
    check(text.startswith("#compdef modelseal\n"), "zsh: no #compdef line")
    functions = dict(re.findall(r"^(_modelseal\w*)\(\) \{\n(.*?)^\}$", text,
                                re.M | re.S))
    for path, (subcommands, flags, _, valued) in commands.items():
        function = "_" + "__".join(("modelseal",) + path).replace("-", "_")
        body = functions.get(function)
        if not check(body is not None, f"zsh: no function {function}"):
            continue
        for flag in flags:
            form = "=" if flag in valued else ""
            check(re.search(rf"'\*?{re.escape(flag)}{form}\[", body),
                  f"zsh: {function} lacks {flag}{form}")
        for sub in subcommands:
            check(f"'{sub}:" in body and f"'{sub}') " in body,
                  f"zsh: {function} lacks {sub}")


def main():
    binary, build_dir = sys.argv[1], sys.argv[2]
    generated = {
        ("man",): os.path.join(build_dir, "man", "modelseal.1"),
        ("completion", "bash"): os.path.join(build_dir, "completions", "bash",
                                             "modelseal"),
        ("completion", "zsh"): os.path.join(build_dir, "completions", "zsh",
                                            "_modelseal"),
        ("completion", "fish"): os.path.join(build_dir, "completions", "fish",
                                             "modelseal.fish"),
    }
    for args, path in generated.items():
        result = run([binary, *args])
        check(result.returncode == 0, f"modelseal {' '.join(args)} failed")
        with open(path, encoding="utf-8") as built:
            check(built.read() == result.stdout,
                  f"{path} differs from `modelseal {' '.join(args)}`")

    commands = walk_help(binary)
    check(len(commands) > 10 and ("log", "prove") in commands,
          f"--help walk found only {sorted(commands)}")
    root_subcommands = commands[()][0]
    check("man" not in root_subcommands and
          "completion" not in root_subcommands,
          "the generators are listed in --help")
    result = run([binary, "completion", "tcsh"])
    check(result.returncode == 2, f"completion tcsh exited {result.returncode}")

    version = run([binary, "--version"])
    check(version.returncode == 0, "--version failed")
    check(re.fullmatch(r"modelseal \d+\.\d+\.\d+ \(commit [\w.+-]+\)\n"
                       r"hash kernels: sha256=\S+ blake3=\S+ blake2b=\S+\n",
                       version.stdout),
          f"--version printed {version.stdout!r}")

    check_man(generated[("man",)], commands)
    check_bash(generated[("completion", "bash")], commands)
    check_zsh(generated[("completion", "zsh")], commands)
    check_fish(generated[("completion", "fish")], commands)

    flags = sum(len(parsed[1]) for parsed in commands.values())
    print(f"{len(commands)} commands, {flags} long flags checked")
    for failure in FAILURES:
        print("FAIL:", failure)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
