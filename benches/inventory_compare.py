#!/usr/bin/env python3
"""Compare bosun's package inventory with syft's for one image.

    inventory_compare.py LABEL BOSUN_REPORT.json SYFT.json

Packages are compared as (type, name, version). Prints one table row and the
differences, with the reason for each kind bosun knows about."""

import json
import sys

ECOSYSTEM = {"deb": "deb", "apk": "apk", "rpm": "rpm", "pypi": "python", "npm": "npm", "gem": "gem",
             "composer": "php-composer", "nuget": "dotnet", "maven": "java-archive", "golang": "go-module",
             "cargo": "rust-crate"}
OS_TYPES = {"deb", "apk", "rpm"}


def key(kind, name, version):
    # Python names compare normalised (PEP 503): `Flask` and `flask` are one package.
    if kind == "python":
        name = "-".join(name.lower().replace("_", "-").replace(".", "-").split("-"))
    return (kind, name, version)


def main(label, bosun_path, syft_path):
    bosun = json.load(open(bosun_path))
    syft = json.load(open(syft_path))
    ours = {key(ECOSYSTEM.get(p["ecosystem"], p["ecosystem"]), p["name"], p["version"])
            for image in bosun["images"] for p in image.get("packages", [])}
    # syft reports a binary it cannot name as a "binary" package of no ecosystem; those
    # (and its GitHub-Actions, go-toolchain entries) are not installed packages.
    theirs = {key(a["type"], a["name"], a["version"]) for a in syft["artifacts"] if a["type"] not in ("binary",)}
    both = ours & theirs
    os_ours = {p for p in ours if p[0] in OS_TYPES}
    os_theirs = {p for p in theirs if p[0] in OS_TYPES}
    print(f"| {label} | {len(theirs)} | {len(ours)} | {len(both)} | "
          f"{'identical' if os_ours == os_theirs else 'DIFFERENT'} ({len(os_ours)}) | "
          f"{len(theirs - ours)} | {len(ours - theirs)} |")
    for p in sorted(theirs - ours):
        print(f"    syft only: {p}", file=sys.stderr)
    for p in sorted(ours - theirs):
        print(f"    bosun only: {p}", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
