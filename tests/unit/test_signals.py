"""No signal argument lands in a slot's optional parameter (Settings' "Set up ML runtime…" once
ran with ``pip_args=False`` and Scan's button with ``confirm=False``): buttons and actions are
connected through gui.signals only, and every method connected to a signal takes no optional
parameter. Read from the source, so the rule holds for code no test clicks."""

import ast

from tests.paths import ROOT

PACKAGE = ROOT / "school_detector"
HELPER = PACKAGE / "gui" / "signals.py"
#: signals whose checked flag a slot must never see
FLAG_SIGNALS = {"clicked", "triggered"}


def _connections(tree: ast.AST):
    """(class node or None, signal name, connected expression, line) for every ``X.sig.connect(arg)``."""

    def visit(node, cls):
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.ClassDef) else cls
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "connect"
                and isinstance(child.func.value, ast.Attribute)
                and child.args
            ):
                yield cls, child.func.value.attr, child.args[0], child.lineno
            yield from visit(child, inner)

    yield from visit(tree, None)


def _methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_vendor" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_buttons_and_actions_connect_only_through_gui_signals():
    found = []
    for path, tree in _sources():
        if path == HELPER:
            continue
        found += [
            f"{path.relative_to(ROOT)}:{line} .{signal}.connect"
            for _, signal, _, line in _connections(tree)
            if signal in FLAG_SIGNALS
        ]
    assert not found, "use gui.signals.on_click / on_trigger: " + ", ".join(found)


def test_no_slot_connected_to_a_signal_has_an_optional_parameter():
    checked, bad = 0, []
    for path, tree in _sources():
        for cls, signal, target, line in _connections(tree):
            if cls is None or not (
                isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"
            ):
                continue
            method = _methods(cls).get(target.attr)
            if method is None:  # Qt's own (reject, accept) or inherited
                continue
            checked += 1
            args = method.args
            if args.defaults or any(d is not None for d in args.kw_defaults) or args.vararg:
                bad.append(f"{path.relative_to(ROOT)}:{line} {signal} -> {cls.name}.{method.name}")
    assert checked > 20  # the walk finds the dialogs' connections
    assert not bad, "a signal's argument would fill an optional parameter: " + ", ".join(bad)


def test_the_helper_passes_no_argument():
    """on_click / on_trigger give the slot nothing, whatever the signal carries."""
    from school_detector.gui.signals import on_click, on_trigger

    class Signal:
        def __init__(self):
            self.slots = []

        def connect(self, slot):
            self.slots.append(slot)

    class Button:
        clicked = Signal()
        triggered = Signal()

    calls = []

    def slot(*args):
        calls.append(args)

    on_click(Button, slot)
    on_trigger(Button, slot)
    for connected in Button.clicked.slots + Button.triggered.slots:
        connected(False)
        connected(True)
        connected()
    assert calls == [()] * 6
