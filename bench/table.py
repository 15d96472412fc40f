#!/usr/bin/env python3
"""Compact tables from hyperfine's --export-json files, for bench/run.sh.

  table.py compare RESULTS.json LABEL NAME=PEAK_RSS_KIB...
      one row per command: wall mean ± sd, CPU (user+sys), igprep's time
      divided by this command's (the first NAME is igprep), peak RSS
  table.py stages STAGES.json RESULTS.json
      igprep's stages run one by one, next to the whole `igprep run`
  table.py shoot RESULTS.json PHOTOS NAME=PEAK_RSS_KIB...
      `igprep run` over a whole shoot at each --jobs value (the first NAME
      is the base of the speed-up)

Only the standard library, so nothing beyond python3 itself is needed.
"""
import json
import math
import sys


def load(path):
    runs = {r["command"]: r for r in json.load(open(path))["results"]}
    for r in runs.values():
        r["stddev"] = r["stddev"] or 0.0  # hyperfine gives null for a single run
    return runs


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def wall(r):
    return f"{ms(r['mean'])} ± {ms(r['stddev'])}"


def cpu(r):
    return r["user"] + r["system"]


def compare(path, label, rss_args):
    runs = load(path)
    rss = dict(a.rsplit("=", 1) for a in rss_args)
    names = list(rss)
    base = runs[names[0]]
    rows = [("command", "wall mean ± sd", "cpu user+sys", "igprep / this", "peak RSS")]
    for name in names:
        r = runs[name]
        if name == names[0]:
            ratio = "-"
        else:
            # The ratio's sd from both relative sds, taken as independent.
            x = base["mean"] / r["mean"]
            sd = x * math.hypot(base["stddev"] / base["mean"], r["stddev"] / r["mean"])
            ratio = f"{x:.2f} ± {sd:.2f}"
        rows.append((name, wall(r), ms(cpu(r)), ratio, f"{int(rss[name]) / 1024:.0f} MiB"))
    print(label)
    print_rows(rows)


def stages(path, whole_path):
    runs = load(path)
    whole = load(whole_path)["igprep"]
    print()
    rows = [("igprep, stage by stage", "wall mean ± sd", "cpu user+sys")]
    for name, r in runs.items():
        rows.append((name, wall(r), ms(cpu(r))))
    steps = [r for name, r in runs.items() if name != "process start"]
    total = sum(r["mean"] for r in steps)
    rows.append((f"sum of {len(steps)}", ms(total), ms(sum(cpu(r) for r in steps))))
    rows.append(("igprep run", wall(whole), ms(cpu(whole))))
    print_rows(rows)


def shoot(path, photos, rss_args):
    runs = load(path)
    rss = dict(a.rsplit("=", 1) for a in rss_args)
    names = list(rss)
    first = runs[names[0]]
    print(f"a shoot of {photos} photos (12 MP), igprep run")
    rows = [("igprep run", "wall", "per photo", "cpu user+sys", "speed-up", "peak RSS")]
    for name in names:
        r = runs[name]
        rows.append((name, f"{r['mean']:.1f} s", ms(r["mean"] / photos), f"{cpu(r):.1f} s",
                     f"{first['mean'] / r['mean']:.2f}", f"{int(rss[name]) / 1024:.0f} MiB"))
    print_rows(rows)


def print_rows(rows):
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        print("  " + "   ".join(cells))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) == 4 and sys.argv[1] == "stages":
        stages(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 5 and sys.argv[1] == "shoot":
        shoot(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    else:
        sys.exit(__doc__)
