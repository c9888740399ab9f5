#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Extract the series' CMPXCHG_LOOP and its helpers from a kernel tree.

The model's "posted" policy is compiled from this output (src/kernel/
posted.c includes it after src/kernel/kshim.h), so it runs the code of the
tree, not a paraphrase.  What is taken, verbatim:

  1. lib/lockref.c: the whole "#if USE_CMPXCHG_LOCKREF" block up to its
     "#else"/"#endif" (CMPXCHG_LOOP and every helper, constant, per-CPU
     variable and comment the series put there);
  2. from arch/x86/include/asm/paravirt-spinlock.h (under CONFIG_PARAVIRT,
     as x86 includes it), arch/x86/include/asm/qspinlock.h and
     include/asm-generic/qspinlock.h (in that order, the order x86 includes
     them): every
     top-level definition (function, #define) whose name the text taken so
     far uses, transitively, each wrapped in the preprocessor conditions it
     sits under in its header.  Names the headers do not define (atomic_read,
     READ_ONCE, raw_cpu_read, cpu_relax, clocks, ...) come from the shim.

The text is hashed (sha256 of exactly what is emitted after the
"---- source ----" marker); the hash is compiled into lrmodel and "make
check" compares it with the same extraction done on the series: series/
*.patch applied to the pinned base (--series), or a given tree (--tree).

Usage:
  extract-posted.py --tree DIR [--lockref-c FILE] [-o OUT.h] [--hash]
  extract-posted.py --series DIR --pin FILE --git WORKTREE [-o OUT.h] [--hash]
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

LOCKREF_C = "lib/lockref.c"
# x86's qspinlock.h includes paravirt-spinlock.h (if CONFIG_PARAVIRT) before
# its own definitions and asm-generic/qspinlock.h after them
HEADERS = ["arch/x86/include/asm/paravirt-spinlock.h",
           "arch/x86/include/asm/qspinlock.h",
           "include/asm-generic/qspinlock.h"]
INCLUDED_IF = {"arch/x86/include/asm/paravirt-spinlock.h": "defined(CONFIG_PARAVIRT)"}
ALL_FILES = [LOCKREF_C] + HEADERS

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def die(msg):
    sys.stderr.write("extract-posted: %s\n" % msg)
    sys.exit(2)


def strip_comments(text):
    """Comments and string literals out (for finding names only)."""
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\])*"', " ", text, flags=re.S)


def idents(text):
    return set(IDENT.findall(strip_comments(text)))


def logical_lines(text):
    """Physical lines grouped into logical ones (backslash continuations)."""
    out, cur = [], []
    for line in text.splitlines(keepends=True):
        cur.append(line)
        if not line.rstrip("\n").endswith("\\"):
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def lockref_block(text, path):
    """The #if USE_CMPXCHG_LOCKREF block of lib/lockref.c, without the #if."""
    lines = text.splitlines(keepends=True)
    start = None
    for i, l in enumerate(lines):
        if re.match(r"\s*#\s*if\s+USE_CMPXCHG_LOCKREF\b", l):
            start = i
            break
    if start is None:
        die("%s: no '#if USE_CMPXCHG_LOCKREF' block" % path)
    depth = 0
    for j in range(start + 1, len(lines)):
        m = re.match(r"\s*#\s*(if|ifdef|ifndef|else|elif|endif)\b", lines[j])
        if not m:
            continue
        d = m.group(1)
        if d.startswith("if"):
            depth += 1
        elif d == "endif":
            if depth == 0:
                return "".join(lines[start + 1:j])
            depth -= 1
        elif depth == 0:		# #else / #elif of the block itself
            return "".join(lines[start + 1:j])
    die("%s: unterminated USE_CMPXCHG_LOCKREF block" % path)


def header_items(text):
    """Top-level items of a header: (conditions, name, text) in order.

    conditions: the #if stack the item sits under, as '#if' expressions.
    name: the #define'd name, or the identifier before the first '(' of a
    function (or the declared name of anything else), None if unknown.
    """
    items = []
    stack = []		# list of [expr_of_branch, prior_exprs]
    guard = None	# the include guard: "#ifndef G" + "#define G" first
    m = re.match(r"(?:\s*(?:/\*.*?\*/|//[^\n]*))*\s*#\s*ifndef\s+(\w+)\s*\n\s*#\s*define\s+(\w+)",
                 text, flags=re.S)
    if m and m.group(1) == m.group(2):
        guard = m.group(1)
    depth = 0
    cur = []
    for ll in logical_lines(text):
        s = ll.strip()
        if depth == 0 and not cur and s.startswith("#"):
            m = re.match(r"#\s*(\w+)\s*(.*)", s, flags=re.S)
            d, rest = (m.group(1), m.group(2).strip()) if m else ("", "")
            rest = re.sub(r"\\\n", " ", rest)
            rest = strip_comments(rest).strip()
            if d == "ifdef":
                stack.append(["defined(%s)" % rest, []])
            elif d == "ifndef":
                # the include guard's condition is true wherever we use it
                stack.append(["1" if rest == guard else "!defined(%s)" % rest, []])
            elif d == "if":
                stack.append(["(%s)" % rest, []])
            elif d == "elif":
                top = stack[-1]
                top[1].append(top[0])
                top[0] = "(%s)" % rest
            elif d == "else":
                top = stack[-1]
                top[1].append(top[0])
                top[0] = "1"
            elif d == "endif":
                stack.pop()
            elif d == "define":
                nm = IDENT.match(rest)
                if nm and nm.group(0) == guard:
                    continue
                conds = [branch_cond(e, p) for e, p in stack]
                items.append((conds, nm.group(0) if nm else None, ll))
            continue
        if depth == 0 and not cur and not s:
            continue
        cur.append(ll)
        code = strip_comments("".join(cur))
        depth = code.count("{") - code.count("}")
        if depth > 0:
            continue
        depth = 0
        tail = code.rstrip()
        if not (tail.endswith("}") or tail.endswith(";")):
            if not code.strip():	# a comment alone
                cur = []
            continue
        body = "".join(cur)
        cur = []
        if re.match(r"\s*(struct|union|enum)\s+\w+\s*;\s*$", code):
            continue		# a forward declaration: nothing to take
        head = code.split("{", 1)[0]
        m = re.search(r"([A-Za-z_]\w*)\s*\(", head)
        if m and m.group(1) not in ("__attribute__", "__typeof__", "typeof"):
            name = m.group(1)
        else:
            ids = IDENT.findall(head)
            name = ids[-1] if ids else None
        conds = [branch_cond(e, p) for e, p in stack]
        items.append((conds, name, body))
    return items


def branch_cond(expr, prior):
    c = " && ".join("!%s" % p for p in prior)
    if expr == "1":
        return c or "1"
    return "%s && %s" % (c, expr) if c else expr


def extract(files):
    """files: path -> text (or None when absent).  Returns the source text."""
    if files.get(LOCKREF_C) is None:
        die("no %s" % LOCKREF_C)
    block = lockref_block(files[LOCKREF_C], LOCKREF_C)
    want = idents(block)
    parsed = {h: header_items(files[h]) for h in HEADERS if files.get(h) is not None}
    chosen = {h: set() for h in parsed}
    changed = True
    while changed:
        changed = False
        for h, items in parsed.items():
            for i, (conds, name, body) in enumerate(items):
                if i in chosen[h] or name is None or name not in want:
                    continue
                chosen[h].add(i)
                want |= idents(body)
                changed = True
    out = []
    for h in HEADERS:
        if h not in parsed or not chosen[h]:
            continue
        out.append("/* ---- from %s ---- */\n" % h)
        for i in sorted(chosen[h]):
            conds, name, body = parsed[h][i]
            conds = [c for c in conds if c != "1"]
            if h in INCLUDED_IF:
                conds = [INCLUDED_IF[h]] + conds
            for c in conds:
                out.append("#if %s\n" % c)
            out.append(body if body.endswith("\n") else body + "\n")
            for _ in conds:
                out.append("#endif\n")
    out.append("/* ---- from %s: the USE_CMPXCHG_LOCKREF block ---- */\n" % LOCKREF_C)
    out.append(block)
    return "".join(out)


def read_tree(tree, lockref_c=None):
    files = {}
    for f in ALL_FILES:
        p = lockref_c if (f == LOCKREF_C and lockref_c) else os.path.join(tree, f)
        files[f] = open(p).read() if os.path.exists(p) else None
    return files


def read_series(series, pin, git):
    """series/*.patch applied to the pinned base, for the files we read."""
    base = None
    for l in open(pin):
        m = re.match(r"BASE_COMMIT=(\w+)", l)
        if m:
            base = m.group(1)
    if not base:
        die("%s: no BASE_COMMIT" % pin)
    patches = sorted(p for p in os.listdir(series)
                     if re.match(r"\d{4}-.*\.patch$", p) and not p.startswith("0000-"))
    tmp = tempfile.mkdtemp(prefix="lrmodel-ref.")
    try:
        for f in ALL_FILES:
            r = subprocess.run(["git", "-C", git, "show", "%s:%s" % (base, f)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                os.makedirs(os.path.dirname(os.path.join(tmp, f)), exist_ok=True)
                with open(os.path.join(tmp, f), "wb") as fh:
                    fh.write(r.stdout)
            elif f == LOCKREF_C:
                die("cannot read %s at the base %s from %s" % (f, base, git))
        for p in patches:
            text = open(os.path.join(series, p), errors="replace").read()
            touched = [f for f in ALL_FILES
                       if re.search(r"^diff --git a/%s b/" % re.escape(f), text, re.M)]
            if not touched:
                continue
            args = ["git", "apply", "--unsafe-paths"] + ["--include=%s" % f for f in touched]
            r = subprocess.run(args + [os.path.abspath(os.path.join(series, p))], cwd=tmp,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if r.returncode:
                die("%s does not apply to the base: %s" % (p, r.stderr.strip()))
        return read_tree(tmp)
    finally:
        shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree")
    ap.add_argument("--lockref-c")
    ap.add_argument("--series")
    ap.add_argument("--pin")
    ap.add_argument("--git")
    ap.add_argument("-o", dest="out")
    ap.add_argument("--hash", action="store_true", help="print the hash only")
    a = ap.parse_args()
    if a.series:
        if not (a.pin and a.git):
            die("--series needs --pin and --git")
        files, origin = read_series(a.series, a.pin, a.git), "series %s" % a.series
    elif a.tree or a.lockref_c:
        tree = a.tree or os.path.dirname(os.path.dirname(os.path.abspath(a.lockref_c)))
        files = read_tree(tree, a.lockref_c)
        origin = a.lockref_c or os.path.join(tree, LOCKREF_C)
    else:
        die("need --tree, --lockref-c or --series")
    src = extract(files)
    h = hashlib.sha256(src.encode()).hexdigest()
    if a.hash:
        print(h)
        return
    hdr = ("/* Generated by scripts/extract-posted.py from %s: do not edit. */\n"
           "#define POSTED_SRC_SHA256 \"%s\"\n"
           "#define POSTED_SRC_ORIGIN \"%s\"\n"
           "#define POSTED_SRC_HEADERS \"%s\"\n"
           "/* ---- source ---- */\n") % (
               origin, h, origin.replace("\\", "\\\\").replace('"', '\\"'),
               " ".join(f for f in HEADERS if files.get(f) is not None and
                        ("from %s" % f) in src))
    text = hdr + src
    if a.out:
        if os.path.exists(a.out) and open(a.out).read() == text:
            return
        with open(a.out + ".tmp", "w") as fh:
            fh.write(text)
        os.replace(a.out + ".tmp", a.out)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
