"""Writing a rendered report to stdout or, atomically, to a file."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from cardaudit.errors import OutputError
from cardaudit.reports.table import ColorBuffer

_color = {"enabled": False}


def use_color(enabled: bool) -> None:
    """Whether this run may colour what it prints on a terminal (not with NO_COLOR or
    --no-color); set once by the command line's main options."""
    _color["enabled"] = enabled


def write_output(render: Callable[[TextIO], None], output: Path | None) -> None:
    """Render to `output` through a temporary file that replaces it once complete (a failed
    render never leaves half a file behind), or to stdout. Text for a terminal is rendered in
    colour, whole, then shown; files and pipes get plain text as it is rendered, so a report
    of many models is never held whole in memory."""
    if output is None and sys.stdout.isatty():
        buffer = _buffer(True)
        render(buffer)
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
        return
    with streamed_output(output) as stream:
        render(stream)


def write_stderr(render: Callable[[TextIO], None]) -> None:
    """Notes and summaries for the person at the terminal, in colour as write_output's."""
    buffer = _buffer(sys.stderr.isatty())
    render(buffer)
    sys.stderr.write(buffer.getvalue())
    sys.stderr.flush()


def _buffer(for_terminal: bool) -> io.StringIO:
    return ColorBuffer() if for_terminal and _color["enabled"] else io.StringIO()


def write_text_atomic(path: Path, text: str) -> None:
    with streamed_output(path) as stream:
        stream.write(text)


@contextlib.contextmanager
def streamed_output(output: Path | None) -> Iterator[TextIO]:
    """Write as we go, to stdout or to a temporary file that replaces `output` once the block
    ends normally (a dump run catches Ctrl-C inside it, so its report says what was not done);
    an exception leaves `output` as it was and no temporary file behind."""
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    folder = output.parent if str(output.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp makes 0600; a report is a normal file
        os.replace(temp, output)
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
