"""Apply the protocol's `using-graph-uri` / `using-named-graph-uri` to a SPARQL Update text.

pyoxigraph's `Store.update` takes no dataset argument, so the protocol dataset is written into the
request itself: a `USING <g>` / `USING NAMED <g>` clause before the WHERE of every DELETE/INSERT
operation, which is exactly what the SPARQL 1.1 Protocol (2.2.3) says the parameters mean. The
caller has already parsed the update (query_guard.inspect_update) and refused requests that carry
their own USING/WITH, so only well-formed text reaches this tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Tokens that can hide braces or the word WHERE: comments, strings (long and short), IRIs.
_TOKEN = re.compile(
    r"""
    (?P<skip> \#[^\n]*
            | '''(?:[^'\\]|\\.|'(?!''))*'''
            | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
            | '(?:[^'\\\n]|\\.)*'
            | "(?:[^"\\\n]|\\.)*"
            | <[^<>"{}|^`\\\x00-\x20]*> )
  | (?P<open>\{) | (?P<close>\})
  | (?P<word>[A-Za-z_][\w\-]*(?::[\w\-.]*)? | :[\w\-.]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def add_using(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """The update with USING clauses for the given graphs before each top-level WHERE of a Modify."""
    if not using and not using_named:
        return update
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named]) + " "
    out: list[str] = []
    depth = 0
    previous = ""
    for match in _TOKEN.finditer(update):
        kind, text = match.lastgroup, match.group()
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0 and text.upper() == "WHERE" and previous != "DELETE":
            # DELETE WHERE has no dataset clause in the grammar; every other top-level WHERE is a Modify's.
            out.append(clause)
        if kind != "space":
            previous = text.upper() if kind == "word" else text
        out.append(text)
    return "".join(out)
