"""Summarise benches/secrets-accuracy.sh: recall on the positive tree against
the hand-labelled truth, findings (false positives) on the negative trees."""

import json
import os
import sys


def findings(tool, path, root):
    """(relative path, first line, last line) of every finding in a tool's report."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        try:
            report = json.load(f)
        except json.JSONDecodeError:
            return None
    rows = []
    strip = lambda p: os.path.relpath(p, root) if p.startswith("/") and p.startswith(root) else p.lstrip("/")
    if tool == "bosun":
        for image in report.get("images", []):
            for x in image["findings"]:
                lines = x.get("lines") or [0, 0]
                rows.append((x.get("path", "").lstrip("/"), lines[0], lines[1], x["rule_id"]))
    elif tool == "gitleaks":
        for x in report or []:
            rows.append((strip(x["File"]), x["StartLine"], x["EndLine"], x["RuleID"]))
    elif tool == "trivy":
        for result in report.get("Results") or []:
            for x in result.get("Secrets") or []:
                rows.append((strip(result["Target"]), x["StartLine"], x["EndLine"], x["RuleID"]))
    return rows


def main(trees, out, truth_path, positive, *negatives):
    truth = []
    for line in open(truth_path):
        if line.strip() and not line.startswith("#"):
            path, number, category = line.rstrip("\n").split("\t")
            truth.append((path, int(number), category))
    tools = ["bosun", "gitleaks", "trivy"]
    categories = sorted({c for _, _, c in truth})
    print("## Recall on the positive tree (%d labelled secrets)\n" % len(truth))
    print("| tool | " + " | ".join(categories) + " | all | findings not in the truth |")
    print("|---|" + "---|" * (len(categories) + 2))
    for tool in tools:
        rows = findings(tool, os.path.join(out, f"{tool}-{positive}.json"), os.path.join(trees, positive))
        if rows is None:
            print(f"| {tool} | " + " | ".join("n/a" for _ in categories) + " | n/a | n/a |")
            continue
        hit = lambda t: any(r[0] == t[0] and r[1] <= t[1] <= max(r[1], r[2]) for r in rows)
        cells = []
        for category in categories:
            subset = [t for t in truth if t[2] == category]
            cells.append("%d/%d" % (sum(hit(t) for t in subset), len(subset)))
        found = sum(hit(t) for t in truth)
        extra = sum(1 for r in rows if not any(r[0] == t[0] and r[1] <= t[1] <= max(r[1], r[2]) for t in truth))
        print(f"| {tool} | " + " | ".join(cells) + f" | {found}/{len(truth)} ({100 * found // len(truth)}%) | {extra} |")
    print("\n## Findings on the negative trees (all false positives)\n")
    print("| tool | " + " | ".join(negatives) + " |")
    print("|---|" + "---|" * len(negatives))
    for tool in tools:
        cells = []
        for tree in negatives:
            rows = findings(tool, os.path.join(out, f"{tool}-{tree}.json"), os.path.join(trees, tree))
            cells.append("n/a" if rows is None else str(len(rows)))
        print(f"| {tool} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(*sys.argv[1:])
