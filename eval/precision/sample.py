#!/usr/bin/env python3
"""Draw a seeded, stratified sample of plainsight findings on real repositories.

Usage:
    sample.py REPORT.json... [--size 120] [--seed 15] > sample.tsv

Each REPORT is `plainsight scan <repo> --format json` output, named
`out-after-<owner>+<name>.json` (the repository is read from the file name).
Findings are grouped by rule; every rule gets at least one draw and the rest of the
sample is spread in proportion to each rule's share of all findings, so a rule that
reports a handful of findings is still looked at and a noisy rule dominates as it
dominates the report. Draws within a rule use `random.Random(seed)`, so the same
reports and seed always give the same sample.

The output holds no secret values: repository, path:line, rule, the report's own
redacted preview, and empty `label` and `note` columns to fill in by hand after
reading each finding in its file: `real-format`, `placeholder` or `non-credential`
as eval/precision/README.md defines them, and why.
"""

import argparse
import collections
import json
import os
import random
import sys


def load(paths):
    rows = []
    for p in paths:
        repo = os.path.basename(p)[len("out-after-"):-len(".json")]
        with open(p) as f:
            doc = json.load(f)
        for x in doc["findings"]:
            rows.append((repo, x["path"], x["line"], x["rule_id"], x.get("preview", "")))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reports", nargs="+")
    ap.add_argument("--size", type=int, default=120)
    ap.add_argument("--seed", type=int, default=15)
    a = ap.parse_args()
    rows = sorted(load(a.reports))
    by_rule = collections.defaultdict(list)
    for r in rows:
        by_rule[r[3]].append(r)
    rng = random.Random(a.seed)
    total = len(rows)
    sample = []
    for rule in sorted(by_rule):
        group = by_rule[rule]
        n = max(1, round(a.size * len(group) / total)) if total else 0
        sample.extend(rng.sample(group, min(n, len(group))))
    w = sys.stdout
    w.write("repo\tlocation\trule\tpreview\tlabel\tnote\n")
    for repo, path, line, rule, preview in sorted(sample):
        w.write(f"{repo}\t{path}:{line}\t{rule}\t{preview}\t\t\n")
    print(f"{len(sample)} of {total} findings, {len(by_rule)} rules, seed {a.seed}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
