"""The YAML schema, documented from the records themselves.

README.md carries this text between its schema markers; `python -m editio.schema` rewrites
that section, and a test keeps the two equal.
"""
from __future__ import annotations

import ast
from pathlib import Path

RECORDS = Path(__file__).with_name("records.py")


def schema_markdown() -> str:
    tree = ast.parse(RECORDS.read_text(encoding="utf-8"))
    out = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        out.append(f"**{node.name}**: {ast.get_docstring(node)}\n")
        body = node.body
        for i, statement in enumerate(body):
            if isinstance(statement, ast.AnnAssign):
                doc = body[i + 1].value.value if i + 1 < len(body) and isinstance(body[i + 1], ast.Expr) else ""
                out.append(f"- `{statement.target.id}` ({ast.unparse(statement.annotation)}): {' '.join(doc.split())}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_readme(readme: Path) -> None:
    """Put the schema between README.md's schema markers."""
    text = readme.read_text(encoding="utf-8")
    start = text.index(START) + len(START)
    readme.write_text(text[:start] + "\n" + schema_markdown() + text[text.index(END):], encoding="utf-8")


START, END = "<!-- schema:start -->", "<!-- schema:end -->"

if __name__ == "__main__":
    write_readme(Path(__file__).resolve().parent.parent / "README.md")
