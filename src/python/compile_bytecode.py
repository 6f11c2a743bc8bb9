"""Compiles Python sources into the bytecode Lambda's CPython imports without recompiling.

argv[1] is a JSON list of [source, pyc, name] triples: the file to read, where to write its .pyc,
and the path Lambda sees it at (/var/task/app.py), which goes into the code objects
(tracebacks name it). Each .pyc is hash-based and unchecked (PEP 552): its header holds a hash
of the source, not a timestamp, and the import system never compares it with the source, so the
bytes depend on the source alone and the read-only /var/task needs no rewrite.

A source that does not compile (a Python 2 script inside a package) gets no .pyc and is imported
from source, as pip's compile step leaves it; its name is printed, one a line.
Run with -I -S and PYTHONHASHSEED=0, so that nothing of this machine's site-packages or hash seed
shapes the output.
"""
import json
import py_compile
import sys

with open(sys.argv[1], encoding="utf-8") as listing:
    jobs = json.load(listing)
for source, pyc, name in jobs:
    try:
        py_compile.compile(
            source,
            cfile=pyc,
            dfile=name,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    except (py_compile.PyCompileError, UnicodeDecodeError, ValueError):
        print(name)
