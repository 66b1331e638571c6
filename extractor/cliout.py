"""What the commands share: one-line errors, and the output options of every command that emits rows."""

from __future__ import annotations

import functools
import inspect
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

import typer

from .build import XLSX
from .dataset import FORMATS, write_table
from .workbook import write_workbook

if TYPE_CHECKING:
    import pandas as pd

TABLE_FORMATS = FORMATS + (XLSX,)
# The shared output options: (type, typer option) by parameter name.
ROWS_OPTIONS = {
    "out": (Optional[Path], typer.Option(
        None, "--out", "-o", show_default=False,
        help="Write the rows to a .parquet, .csv, .jsonl or .xlsx file instead of showing them.")),
    "fmt": (Optional[str], typer.Option(
        None, "--format", "-f", show_default=False,
        help="File format of --out: parquet, csv, jsonl or xlsx (default: the suffix of --out; "
             "without --out, writes COMMAND.FORMAT here).")),
}


def error_line(message: str) -> None:
    """One unwrapped line on stderr, starting with Error:."""
    typer.echo(f"Error: {message}", err=True)


def fail(message: str, code: int = 2) -> None:
    error_line(message)
    raise typer.Exit(code)


@dataclass(frozen=True)
class RowsOut:
    """Where a command that emits rows writes them: a file and its format, or nowhere (shown on stdout)."""

    path: Optional[Path]
    fmt: Optional[str]

    def write(self, sheets: dict[str, "pd.DataFrame"]) -> None:
        """The first table in a file of its format; a workbook holds every table, a sheet each."""
        if self.fmt == XLSX:
            write_workbook(self.path, sheets)
        else:
            write_table(next(iter(sheets.values())), self.path.parent, self.path.stem, [self.fmt])


def rows_output(command: str) -> Callable:
    """The output options every command that emits rows shares (as sqlite-utils does, one decorator):
    `--out FILE`, its suffix choosing the format, and `--format`; the command gets them as `output: RowsOut`."""
    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def command_with_output(*args, out: Optional[Path] = None, fmt: Optional[str] = None, **kwargs):
            return function(*args, output=_rows_out(out, fmt, command), **kwargs)

        kept = [p for p in inspect.signature(function).parameters.values() if p.name != "output"]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
                 for name, (kind, default) in ROWS_OPTIONS.items()]
        command_with_output.__signature__ = inspect.Signature(kept + added)
        hints = {name: hint for name, hint in typing.get_type_hints(function).items() if name != "output"}
        command_with_output.__annotations__ = {**hints, **{name: kind for name, (kind, _) in ROWS_OPTIONS.items()}}
        return command_with_output
    return decorate


def _rows_out(out: Optional[Path], fmt: Optional[str], command: str) -> RowsOut:
    """The file to write and its format: --format, else the suffix of --out (.parquet, .csv, .jsonl, .xlsx); a usage error otherwise."""
    if fmt is not None and fmt not in TABLE_FORMATS:
        fail(f"unknown format {fmt!r} (choose from {', '.join(TABLE_FORMATS)})")
    if out is None:
        return RowsOut(Path(f"{command}.{fmt}"), fmt) if fmt is not None else RowsOut(None, None)
    fmt = fmt or out.suffix.lstrip(".")
    if fmt not in TABLE_FORMATS:
        fail(f"{out}: unknown output format (use .parquet, .csv, .jsonl or .xlsx)")
    return RowsOut(out, fmt)
