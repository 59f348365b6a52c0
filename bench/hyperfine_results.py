"""What the bench scripts share: reading hyperfine's --export-json files and printing a table."""
import json
import os


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
