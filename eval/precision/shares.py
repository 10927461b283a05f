#!/usr/bin/env python3
"""Labelled shares of a hand-labelled sample, and noise per GB.

Usage:
    shares.py sample.tsv REPORT.json... --bytes N
    shares.py --peer kingfisher-labels.tsv --bytes N

`sample.tsv` is `sample.py`'s output with the `label` column filled in by hand
(`real-format`, `placeholder`, `non-credential`). The sample is stratified by rule, so
each row stands for `findings of its rule / rows of its rule` findings: the shares are
given both as counted in the sample and weighted that way, and the weighted share of
placeholders and non-credentials times the number of findings, divided by the size of
the scanned trees in GB (`--bytes`, e.g. `du -sb` summed), is the noise per GB.

With `--peer`, the file labels every finding of a peer (no sampling): the shares are
counted directly.
"""

import argparse
import collections
import json
import os
import sys

LABELS = ("real-format", "placeholder", "non-credential")


def read_labels(path):
    rows = []
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            rec = dict(zip(header, line.rstrip("\n").split("\t")))
            if rec.get("label") not in LABELS:
                sys.exit(f"{path}: unlabelled or mislabelled row: {line.strip()}")
            rows.append(rec)
    return rows


def rule_totals(reports):
    totals = collections.Counter()
    for p in reports:
        with open(p) as f:
            for x in json.load(f)["findings"]:
                totals[x["rule_id"]] += 1
    return totals


def show(title, shares, findings, gb):
    noise = shares["placeholder"] + shares["non-credential"]
    parts = ", ".join(f"{k} {shares[k]:.1%}" for k in LABELS)
    print(f"{title}: {parts}; placeholders + non-credentials {noise:.1%}"
          f" = {noise * findings:.0f} of {findings} findings, {noise * findings / gb:.0f} per GB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sample", nargs="?")
    ap.add_argument("reports", nargs="*")
    ap.add_argument("--peer")
    ap.add_argument("--bytes", type=int, required=True)
    a = ap.parse_args()
    gb = a.bytes / 1e9
    if a.peer:
        rows = read_labels(a.peer)
        c = collections.Counter(r["label"] for r in rows)
        show(os.path.basename(a.peer), {k: c[k] / len(rows) for k in LABELS}, len(rows), gb)
        return
    rows = read_labels(a.sample)
    totals = rule_totals(a.reports)
    findings = sum(totals.values())
    per_rule = collections.Counter(r["rule"] for r in rows)
    counted = collections.Counter(r["label"] for r in rows)
    weighted = collections.Counter()
    for r in rows:
        weighted[r["label"]] += totals[r["rule"]] / per_rule[r["rule"]]
    show(f"sample of {len(rows)}, counted", {k: counted[k] / len(rows) for k in LABELS},
         findings, gb)
    show(f"sample of {len(rows)}, weighted by rule", {k: weighted[k] / findings for k in LABELS},
         findings, gb)


if __name__ == "__main__":
    main()
