#!/usr/bin/env python3
"""The steps of the operation manual (docs/manual/*.md), in document order,
for tests/integration/t-manual-commands.sh and scripts/make-manual.sh: every `igprep ...` line of a sh/bash code block
(a command the reader types) and every code block with a file="PATH"
attribute (a file the reader writes, e.g. the interview's shoot.json).

Prints NUL-separated records: "run", WHERE, COMMAND or "write", WHERE, PATH,
TEXT (WHERE is FILE:LINE). Exits 1, saying why, when a code block of another
kind holds an igprep command (it would escape the test) or when no command
is found at all.
"""
import re
import sys
from pathlib import Path

SHELL = {"sh", "bash", "shell", "console"}
FENCE = re.compile(r"^(```+|~~~+)\s*(.*)$")


def info_of(spec):
    """The language and the file="..." attribute of a fence's info string."""
    spec = spec.strip()
    if spec.startswith("{") and spec.endswith("}"):
        inner = spec[1:-1]
        lang = next((w[1:] for w in inner.split() if w.startswith(".")), "")
        m = re.search(r'file="([^"]+)"', inner)
        return lang, m.group(1) if m else None
    return (spec.split()[0] if spec else ""), None


def steps(files):
    out = []
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        fence, lang, target, body, start = None, "", None, [], 0
        for n, line in enumerate(lines, 1):
            m = FENCE.match(line)
            if fence is None:
                if m:
                    fence, (lang, target), body, start = m.group(1), info_of(m.group(2)), [], n
                continue
            if line.strip() == fence:
                if target:
                    out.append(("write", f"{path.name}:{start}", target, "\n".join(body) + "\n"))
                fence = None
                continue
            body.append(line)
            # A command, not a line of output ("igprep: ...", "igprep review: http://...").
            words = line.split()
            if not words or words[0] != "igprep" or (len(words) > 1 and words[1].endswith(":")):
                continue
            command = line.strip()
            where = f"{path.name}:{n}"
            if lang not in SHELL:
                sys.exit(f"manual-steps: {where}: an igprep command in a '{lang or 'plain'}' block: "
                         "put commands in sh blocks (and output in text blocks)")
            out.append(("run", where, command))
        if fence is not None:
            sys.exit(f"manual-steps: {path.name}:{start}: code block never closed")
    return out


def main():
    folder = Path(sys.argv[1])
    files = sorted(folder.glob("[0-9][0-9]-*.md"))
    if not files:
        sys.exit(f"manual-steps: no chapters (NN-*.md) in {folder}")
    found = steps(files)
    if not any(s[0] == "run" for s in found):
        sys.exit(f"manual-steps: no igprep command found in {len(files)} chapters of {folder}")
    for record in found:
        for field in record:
            sys.stdout.write(field + "\0")


if __name__ == "__main__":
    main()
