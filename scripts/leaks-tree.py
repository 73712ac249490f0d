#!/usr/bin/env python3
"""The tree `scripts/bench.sh` scans with `agentcred leaks scan` and `grep -F -f`, and the
patterns file grep gets: every value of a file store, in every encoding agentcred looks for.

    leaks-tree.py DATA_DIR TREE_DIR PATTERNS_FILE [EXTRA_VALUE...]

DATA_DIR is the home's data directory: its file store is `secrets/*.json` (and the single
`secrets.json` of earlier releases).

The tree: 1,000 files in 10 folders: 999 small ones, 1 in 100 binary (a NUL byte near the start), text files
of 0-12 log lines with, every 50th, each encoding of one value planted, and every 50th (other)
one decoys one character off; plus one 50 MB log with every value planted near its end.
"""
import base64
import glob
import json
import os
import sys

data_dir, tree, patterns_file, *extra = sys.argv[1:]
values = []
for store in sorted(glob.glob(os.path.join(data_dir, "secrets", "*.json"))) + glob.glob(
    os.path.join(data_dir, "secrets.json")
):
    values += json.load(open(store))["secrets"].values()
values += extra
values = [v for v in dict.fromkeys(values) if len(v) >= 8]


def percent(value, lower=False, form=False):
    out = []
    for b in value.encode():
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-._~"):
            out.append(c)
        elif form and c == " ":
            out.append("+")
        else:
            out.append(("%%%02x" if lower else "%%%02X") % b)
    return "".join(out)


def base64_forms(value):
    """Each alignment's encoding, cut to the characters that depend on the value alone."""
    data = value.encode()
    forms = []
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for offset in range(3):
            full = b"\0" * offset + data
            text = encode(full).decode().rstrip("=")
            skip = -(-8 * offset // 6)
            end = len(text) if len(full) % 3 == 0 else (8 * len(full)) // 6
            if end > skip:
                forms.append(text[skip:end])
    return forms


def encodings(value):
    forms = [value, json.dumps(value)[1:-1]]
    if "/" in forms[1]:
        forms.append(forms[1].replace("/", "\\/"))
    forms += [percent(value), percent(value, lower=True), percent(value, form=True)]
    forms += base64_forms(value)
    return list(dict.fromkeys(forms))


def planted(value):
    return [
        f"Authorization: Bearer {value}",
        '{"tool_result": %s}' % json.dumps(value),
        f"GET /cb?token={percent(value)}&x=1",
        "blob: " + base64.b64encode(f"k={value};".encode()).decode(),
        "blob: " + base64.urlsafe_b64encode(('ab{"t":"%s"}' % value).encode()).decode().rstrip("="),
    ]


def decoy(value):
    return value[:-1] + ("B" if value[-1] == "A" else "A")


with open(patterns_file, "w") as f:
    for value in values:
        for form in encodings(value):
            f.write(form + "\n")

filler = "2026-12-06T12:00:00Z INFO agent step done, nothing secret here at all\n"
for i in range(999):
    folder = os.path.join(tree, f"d{i % 10}")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"f{i:04}.log")
    if i % 100 == 7:
        with open(path, "wb") as f:
            f.write(b"\x7fELF\x02\x01\x01\0\0\0" + values[0].encode() + os.urandom(4096))
        continue
    lines = [filler] * (i % 13)
    if i % 50 == 3:
        lines += [line + "\n" for line in planted(values[(i // 50) % len(values)])]
    if i % 50 == 4:
        lines += [line + "\n" for v in values for line in planted(decoy(v))]
    with open(path, "w") as f:
        f.writelines(lines)
with open(os.path.join(tree, "d0", "big.log"), "w") as f:
    block = filler * 1000
    written = 0
    while written < 50 << 20:
        f.write(block)
        written += len(block)
    for value in values:
        f.writelines(line + "\n" for line in planted(value))
