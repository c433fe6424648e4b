"""Argument parsing, the progress reporter and the one place errors become exit codes.

Command modules import their heavy dependencies (numpy, TensorFlow) inside ``run`` so that
``info`` still works, and says what is missing, in a half-installed runtime.
"""

from __future__ import annotations

import os

# Quiet TensorFlow's C++ start-up chatter unless the user asks for it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import errno
import signal
import sys
import traceback
from collections.abc import Sequence
from types import FrameType
from typing import Any

from ..core.errors import JobCancelled, RuntimeMissingError, SchoolDetectorError
from ..core.progress import Reporter
from ..inference.backend import SCAN_ONLY, installed
from ..runtime.process import listen
from ..version import __version__
from . import cancel, chips, info, sample_scene, scan, selftest, serve, train

COMMANDS = (info, selftest, sample_scene, chips, train, serve, scan)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    cancel.request()  # stops cooperative jobs at a safe point; interrupts the others


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="school-detector",
        description="Find unmapped schools in high-resolution imagery (the ML runtime of the QGIS plugin).",
    )
    parser.add_argument("--version", action="version", version=f"school-detector {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--progress",
        choices=("text", "jsonl"),
        default="text",
        help="how to report progress: text on stderr (default) or JSON lines on stdout (for the plugin)",
    )
    common.add_argument(
        "--control",
        choices=("none", "stdin"),
        default="none",
        help="stdin: read the control channel on standard input (a 'cancel' line stops the job at a safe "
        "point; end of input means the caller is gone). The plugin uses it on every OS",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(sub, common)
    return parser


#: options whose value may start with "-" (a western or southern coordinate): "--bbox -70,…"
NEGATIVE_VALUE_OPTIONS = ("--bbox",)


def _join_negative_values(argv: list[str]) -> list[str]:
    """``--bbox -70.1,10,-70,10.1`` as argparse would otherwise read it: an unknown option."""
    out: list[str] = []
    for item in argv:
        if out and out[-1] in NEGATIVE_VALUE_OPTIONS and item.startswith("-") and item[1:2].isdigit():
            out[-1] = f"{out[-1]}={item}"
        else:
            out.append(item)
    return out


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise _UsageError(f"{self.prog}: {message}. See '{self.prog} --help'.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:  # a usage error is bad input too: say it the way the caller listens
        mode = "jsonl" if "jsonl" in argv and "--progress" in " ".join(argv) else "text"
        Reporter(mode).error("UsageError", str(exc))
        return 2
    reporter = Reporter(args.progress)
    # SIGINT too, explicitly: a process started from a thread that ignores SIGINT (QGIS 3.40's
    # task threads) inherits SIG_IGN, and then Ctrl-C and the control channel's interrupt_main()
    # would do nothing at all
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _on_signal)
    if args.control == "stdin":
        listen(cancel.request_from_channel, cancel.parent_gone)
    try:
        needs = getattr(args, "needs_tensorflow", "")
        if needs and not installed("tensorflow"):
            raise RuntimeMissingError(SCAN_ONLY.format(what=needs))
        result: dict[str, Any] = args.run(args, reporter)
    except (JobCancelled, KeyboardInterrupt) as exc:
        return _cancelled(reporter, exc)
    except Exception as exc:  # noqa: BLE001 - a cancel may land inside a library and come out as anything
        if cancel.requested():
            return _cancelled(reporter, exc)
        return _failed(reporter, exc)
    reporter.result(result)
    return 0


def _cancelled(reporter: Reporter, exc: BaseException) -> int:
    """Exit 130, after what the job still delivered (its result) when it did."""
    if isinstance(exc, JobCancelled) and exc.result:
        reporter.result(exc.result)
    message = exc.message if isinstance(exc, JobCancelled) and exc.message != "Cancelled." else ""
    reporter.error("JobCancelled", message or "Cancelled; everything written so far is consistent.")
    return JobCancelled.exit_code


def _failed(reporter: Reporter, exc: Exception) -> int:
    """The one place an error becomes a message and an exit code."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if isinstance(exc, SchoolDetectorError):
        reporter.error(type(exc).__name__, exc.message, exc.details)
        return exc.exit_code
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        reporter.error(
            "DiskFull",
            f"Out of disk space writing {exc.filename or 'the output'} ({exc.strerror}). Free some space and "
            "run the same command again: everything written so far is kept, and it continues from there.",
            trace,
        )
        return 2
    if isinstance(exc, OSError):
        reporter.error("OSError", f"{exc.strerror or exc} ({exc.filename or 'no file'}).", trace)
        return 1
    reporter.error(type(exc).__name__, f"Unexpected error: {exc}", trace)  # the last line of defence
    return 1


if __name__ == "__main__":
    sys.exit(main())
