#!/usr/bin/env python3
"""Fills the {{NAME}} placeholders of a policy template with file contents.

  render_policy.py TEMPLATE OUTPUT NAME=FILE ...

A placeholder alone on its line (after indentation) takes the file's lines,
each indented like the placeholder, so PEM keys land inside YAML block
scalars; a placeholder inside a line takes the file's text stripped.
"""
import re
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    template, output = sys.argv[1], sys.argv[2]
    values = {}
    for assignment in sys.argv[3:]:
        name, _, path = assignment.partition("=")
        with open(path, encoding="utf-8") as handle:
            values[name] = handle.read().strip()
    out = []
    with open(template, encoding="utf-8") as handle:
        for line in handle:
            alone = re.fullmatch(r"(\s*)\{\{(\w+)\}\}\s*", line)
            if alone:
                indent, name = alone.groups()
                out.extend(indent + text + "\n" for text in values[name].splitlines())
                continue
            out.append(re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], line))
    with open(output, "w", encoding="utf-8") as handle:
        handle.writelines(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
