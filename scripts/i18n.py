"""`make translations`: the Qt Linguist template (.ts) of every user-facing string.

Each module of the plugin defines ``tr(text)`` as ``QCoreApplication.translate("Context", text)``;
this reads the context from that definition and collects every ``tr("literal")`` call and every
``N_("literal")`` mark (tables of labels translated later through a variable), so the template's
contexts are exactly the ones used at run time (pylupdate5 would guess them from class names).
A ``tr()`` of an f-string or an expression is an error: it can't be translated.
Translators fill the template with Qt Linguist; ``lrelease`` makes the .qm the plugin loads
from ``school_detector/i18n/school_detector_<locale>.qm``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "school_detector"


def module_context(tree: ast.Module) -> str | None:
    """The context of the module's ``tr()``, or of its ``TR_CONTEXT = "..."`` (a module without
    Qt whose N_-marked labels a dialog translates, e.g. core.training's backbone names)."""
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", "") for t in node.targets] == ["TR_CONTEXT"]
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
        if isinstance(node, ast.FunctionDef) and node.name == "tr":
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "translate" and call.args:
                    first = call.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        return first.value
    return None


def extract(package: Path = PACKAGE) -> tuple[dict[str, list[tuple[str, str, int]]], list[str]]:
    """{context: [(text, file, line)]}, and the problems found."""
    contexts: dict[str, list[tuple[str, str, int]]] = {}
    problems: list[str] = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        context = module_context(tree)
        rel = path.relative_to(package.parent).as_posix()
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "N_")):
                continue
            name = node.func.id
            if context is None:
                problems.append(f"{rel}:{node.lineno}: {name}() without a module-level tr() that names its context")
                continue
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                contexts.setdefault(context, []).append((arg.value, rel, node.lineno))
            elif name == "N_" or isinstance(arg, (ast.JoinedStr, ast.BinOp)) or arg is None:
                # tr(variable) is fine when the variable's values are N_()-marked; these never are
                problems.append(f"{rel}:{node.lineno}: {name}() of an f-string or expression can't be translated")
    return contexts, problems


def write_ts(contexts: dict[str, list[tuple[str, str, int]]], out: Path) -> int:
    parts = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>", '<TS version="2.1">']
    count = 0
    for name in sorted(contexts):
        parts.append(f"<context>\n    <name>{escape(name)}</name>")
        seen: dict[str, list[tuple[str, int]]] = {}
        for text, file, line in contexts[name]:
            seen.setdefault(text, []).append((file, line))
        for text, places in seen.items():
            count += 1
            parts.append("    <message>")
            parts += [f'        <location filename="{escape(f)}" line="{n}"/>' for f, n in places]
            parts.append(f"        <source>{escape(text)}</source>")
            parts.append('        <translation type="unfinished"></translation>')
            parts.append("    </message>")
        parts.append("</context>")
    parts.append("</TS>")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return count


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "i18n" / "school_detector.ts"
    contexts, problems = extract()
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    n = write_ts(contexts, out)
    print(f"{out}: {n} strings in {len(contexts)} contexts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
