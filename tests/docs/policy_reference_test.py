#!/usr/bin/env python3
"""The policy reference and the policy JSON Schema describe the same document.

  policy_reference_test.py SCHEMA REFERENCE

REFERENCE (docs/formats/policy.md) shows the whole document as one annotated
YAML block, the first ```yaml block of the page. Every property the schema
defines must appear as a key in that block, at the same place, and every key
in the block must be a property of the schema. Every enumerated value of the
schema (hash names, severities, scanner formats...) must be named on the
page, and the page's list of scanner formats must be exactly the schema's.
Exit 0 when they agree; otherwise each difference is printed and exit 1.
"""
import json
import re
import sys

import yaml


def resolve(schema, node):
    while "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        node = schema["$defs"][name]
    return node


def schema_paths(schema, node, path, paths, enums):
    """Collects property paths (a.b[].c) and enum values below node."""
    node = resolve(schema, node)
    for value in node.get("enum", []):
        enums.add(str(value))
    if "const" in node:
        enums.add(str(node["const"]))
    for key in ("oneOf", "anyOf", "allOf"):
        for alternative in node.get(key, []):
            schema_paths(schema, alternative, path, paths, enums)
    if "items" in node:
        schema_paths(schema, node["items"], path + "[]", paths, enums)
    for name, child in node.get("properties", {}).items():
        child_path = f"{path}.{name}" if path else name
        # "then"/"if" only narrow properties defined above; they add no keys.
        paths.add(child_path)
        schema_paths(schema, child, child_path, paths, enums)


def document_paths(node, path, paths):
    if isinstance(node, dict):
        for name, child in node.items():
            child_path = f"{path}.{name}" if path else str(name)
            paths.add(child_path)
            document_paths(child, child_path, paths)
    elif isinstance(node, list):
        for item in node:
            document_paths(item, path + "[]", paths)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as handle:
        schema = json.load(handle)
    with open(sys.argv[2], encoding="utf-8") as handle:
        page = handle.read()

    errors = []
    blocks = re.findall(r"^```yaml\n(.*?)^```", page, re.M | re.S)
    if not blocks:
        print(f"{sys.argv[2]}: no ```yaml block", file=sys.stderr)
        return 1
    reference = yaml.safe_load(blocks[0])

    in_schema, enums = set(), set()
    schema_paths(schema, schema, "", in_schema, enums)
    on_page = set()
    document_paths(reference, "", on_page)

    for path in sorted(in_schema - on_page):
        errors.append(f"in the schema, not in the reference block: {path}")
    for path in sorted(on_page - in_schema):
        errors.append(f"in the reference block, not in the schema: {path}")

    words = set(re.findall(r"[A-Za-z0-9._/+-]+", page))
    for value in sorted(enums):
        if value not in words:
            errors.append(f"schema value not named on the page: {value}")

    formats = set(resolve(schema, schema["$defs"]["formatList"])["items"]["enum"])
    section = re.search(r"^## Formats\n(.*?)(?=^## )", page, re.M | re.S)
    if not section:
        errors.append("no '## Formats' section")
    else:
        listed = re.search(r"format names .*?: `([^`]*)`", section.group(1), re.S)
        named = set(re.split(r",\s*", listed.group(1))) if listed else set()
        if named != formats:
            errors.append(
                "'## Formats' lists other formats than the schema: "
                f"missing {sorted(formats - named)}, extra {sorted(named - formats)}")

    for error in errors:
        print(f"{sys.argv[2]}: {error}", file=sys.stderr)
    if errors:
        return 1
    print(f"policy reference matches the schema: {len(in_schema)} properties, "
          f"{len(enums)} enumerated values")
    return 0


if __name__ == "__main__":
    sys.exit(main())
