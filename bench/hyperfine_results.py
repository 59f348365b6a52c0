"""What the bench scripts share: reading hyperfine's --export-json files or the "KEY VALUE" records of
bench/lib.sh, the verdict against a target, and printing tables."""
import json
import os
import statistics


def result(results_dir, file, name):
    """The result of command `name` in results_dir/file.json."""
    for r in json.load(open(os.path.join(results_dir, file + ".json")))["results"]:
        if r["command"] == name:
            return r
    raise SystemExit(f"bench: no result for {name!r} in {file}.json")


def print_table(header, lines):
    """Columns padded to their widest cell."""
    widths = [max(len(x[i]) for x in [header] + lines) for i in range(len(header))]
    for line in [header] + lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())


class Records(dict):
    """The "KEY VALUE" lines bench/lib.sh's `record` wrote: {key: [value, ...]}, in order."""

    def __init__(self, path):
        super().__init__()
        for line in open(path):
            key, value = line.split()
            self.setdefault(key, []).append(value)

    def median(self, key):
        return statistics.median(float(v) for v in self[key])


def verdict(figure, target):
    """`within target` or `over target`. A target bounds the figure as printed (2 decimals): "<= 1.1x"
    a ratio, "<= 2 s" seconds; "~0.4x" is met by a figure at most 0.4 at the target's precision (0.42 is)."""
    bound_text = target.lstrip("<=~ ").rstrip("xs ")
    bound = float(bound_text)
    figure = round(figure, len(bound_text.partition(".")[2]) if target.startswith("~") else 2)
    return "within target" if figure <= bound else "over target"


def print_verdicts(rows):
    """The sandbox scripts' table. Rows: (benchmark, concierge, reference, ratio, target), plus the
    figure the target bounds when it is not the ratio (a "<= 2 s" target)."""
    header = ("benchmark", "concierge", "reference", "ratio", "target", "verdict")
    print()
    print_table(header, [(b, c, r, f"{x:.2f}x", t, verdict(f[0] if f else x, t)) for b, c, r, x, t, *f in rows])
