"""The `extractor` command: a thin skin over the library.

Errors are one line starting with `Error:` and exit code 2 (usage, bad rules)
or 1 (documents that could not be read, with --strict).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import __version__
from .build import XLSX, BuildOptions, build_dataset
from .cliout import RowsOut, error_line, fail, rows_output
from .dataset import FORMATS, load_dataset
from .documents import find_inputs, shown
from .evaluate import format_report, load_gold, score
from .parallel import ENGINES
from .pipeline import extract_documents, get_extractor
from .ruleset import RuleError, load_ruleset

# Plain help (click's): typer's rich help shows a flag such as --quiet as "--quiet <bool>", as if it took a value.
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Turn every quantitative claim in Chinese SME policy documents into a tidy dataset.")
err = Console(stderr=True)

RulesOption = typer.Option(None, "--rules", help="Rules directory to use instead of the built-in rules (the repository's rules/).", show_default=False)
DEFAULT_INPUT = Path("seeds")  # a clone's sample documents, read from the current folder
SimplifiedOption = typer.Option(False, "--simplified", help="Read traditional characters as simplified ones (OpenCC t2s); spans still index the text as written.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"extractor {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit.")) -> None:
    """Extract quantitative claims (counts, money, rates, targets) with their exact source spans."""


@app.command()
def extract(
    inputs: Optional[List[Path]] = typer.Argument(None, help="Files and folders to read (default: seeds/ in the current folder, as in a clone)."),
    out: Path = typer.Option(Path("data"), "--out", "-o", help="Dataset folder to write."),
    fmt: List[str] = typer.Option(["parquet", "csv"], "--format", "-f", help="Output formats: parquet, csv, jsonl, xlsx (repeatable; xlsx: OUT/dataset.xlsx, a claims and a documents sheet)."),
    rules: Optional[Path] = RulesOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary line (problems are still listed)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any document could not be read."),
    resume: bool = typer.Option(False, "--resume", help="Keep documents whose bytes and rule set (sha256, rules_version) OUT already holds; extract only the rest."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Processes to extract with (default: all cores).", show_default=False),
    engine: str = typer.Option("local", "--engine", help="local (this machine) or dask (a Dask cluster, with --scheduler)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address for --engine dask, e.g. tcp://10.0.0.5:8786.", show_default=False),
    simplified: bool = SimplifiedOption,
) -> None:
    """Extract claims from documents and write claims and documents tables.

    Writes OUT/claims.{parquet,csv} and OUT/documents.{parquet,csv}; inputs over
    4 MiB are written as partitioned Parquet instead (OUT/claims/part-*.parquet,
    OUT/documents/part-*.parquet). Reads .txt in any common encoding, .html,
    .docx and .pdf; the text every claim's offsets index is saved as
    OUT/texts/<sha256>.txt. A document that cannot be read gets status error,
    empty or skipped and a one-line error, and the batch goes on. Exit code: 0
    when done, 1 with --strict when a document failed, 2 for usage errors.

    Example: extractor extract seeds/ --out data --format jsonl
    """
    formats, sources = _checked(inputs, fmt, engine, scheduler)
    options = BuildOptions(formats, rules, jobs, engine, scheduler, simplified, resume)
    _check_out(out)
    started = time.perf_counter()
    show = not quiet and err.is_terminal
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=not show, transient=True) as progress:
        task = progress.add_task("extracting")
        try:
            result = build_dataset(sources, out, options, on_start=lambda total: progress.update(task, total=total),
                                   on_document=lambda: progress.advance(task))
        except RuleError as exc:  # a usage error: build_dataset compiles the rules before it makes OUT
            fail(str(exc))
        except OSError as exc:
            if engine != "dask":
                raise
            fail(f"{scheduler}: cannot reach the Dask scheduler: {exc}")
    failed = result.failed
    for error in failed["error"]:
        error_line(error)
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)  # empty documents, bytes replaced, numbers too long
    if not quiet:
        typer.echo(
            f"{result.n_documents} documents, {result.n_claims} claims, {len(failed)} errors, "
            f"{time.perf_counter() - started:.1f}s -> {out}/",
            err=True,
        )
    if strict and len(failed):
        raise typer.Exit(1)


def _checked(inputs: Optional[List[Path]], fmt: List[str], engine: str, scheduler: Optional[str]) -> tuple[tuple[str, ...], List[Path]]:
    """`extract`'s formats and inputs, or a usage error for an unknown format or engine or a missing input."""
    formats = list(dict.fromkeys(["parquet", "csv"] + fmt))
    unknown = [f for f in formats if f not in FORMATS + (XLSX,)]
    if unknown:
        fail(f"unknown format {unknown[0]!r} (choose from {', '.join(FORMATS + (XLSX,))})")
    if engine not in ENGINES:
        fail(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if (engine == "dask") != (scheduler is not None):
        fail("--engine dask and --scheduler ADDRESS go together")
    if not inputs and not DEFAULT_INPUT.is_dir():
        fail(f"no documents named and no {DEFAULT_INPUT}/ folder in {Path.cwd()}: "
             "name the files or folders to read, e.g. extractor extract DOCS/ --out data")
    sources = inputs or [DEFAULT_INPUT]
    missing = [p for p in sources if not os.path.lexists(p)]  # a link that leads nowhere is an input: it gets an error row
    if missing:
        fail(f"{shown(missing[0])}: no such file or folder")
    return tuple(formats), sources


def _check_out(out: Path) -> None:
    """A usage error unless `out` is a folder this user can write in, or can be made."""
    if out.exists() and not out.is_dir():
        fail(f"{shown(out)}: not a folder (--out names the dataset folder to write)")
    made = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=out).close()
        if made:
            out.rmdir()  # build_dataset makes it, and removes it again if the run is interrupted
    except OSError as exc:
        fail(f"{shown(out)}: cannot write the dataset there: {exc.strerror or exc}")


@app.command(name="eval")
def evaluate(
    gold: Path = typer.Option(..., "--gold", help="Gold claims: a folder of .jsonl files or one .jsonl file."),
    docs: Optional[Path] = typer.Option(None, "--docs", help="Documents to extract and score."),
    pred: Optional[Path] = typer.Option(None, "--pred", help="An existing dataset (folder or claims file) to score instead."),
    rules: Optional[Path] = RulesOption,
    per_doc: bool = typer.Option(False, "--per-doc", help="Show scores per document."),
    show_misses: bool = typer.Option(False, "--show-misses", help="List misses, false positives and wrong fields."),
    simplified: bool = SimplifiedOption,
) -> None:
    """Score extraction against gold claims, as docs/claims.md section 6 says.

    Example: extractor eval --docs seeds --gold tests/gold --show-misses
    """
    if (docs is None) == (pred is None):
        fail("give exactly one of --docs DIR or --pred DATASET")
    for path in (gold, docs, pred):
        if path is not None and not path.exists():
            fail(f"{shown(path)}: no such file or folder")
    try:
        gold_frame = load_gold(gold)
        if pred is not None:
            predicted = load_dataset(pred)
        else:
            predicted = extract_documents(find_inputs([docs]), get_extractor(rules), simplified=simplified).claims
    except (RuleError, ValueError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{shown(exc.filename)}: {exc.strerror}" if exc.filename else str(exc))
    typer.echo(format_report(score(predicted, gold_frame), per_doc=per_doc, show_misses=show_misses))


@app.command(name="rules")
def rules_command(
    rules: Optional[Path] = RulesOption,
    check: bool = typer.Option(False, "--check", help="Validate the rule files, run every rule's examples and time every pattern."),
) -> None:
    """List the rules, or check them (patterns, fragments, ids, examples, speed).

    --check fails a rule whose examples do not give the claims they list, or
    whose pattern takes over half a second on a text of 2,000 characters
    made of its own pieces (it would stop documents at the scanner's time
    limit); a rule without examples gets a warning.

    Example: extractor rules --check --rules my_rules/
    """
    from .rulecheck import check_examples, rules_without_examples, slow_rules

    try:
        ruleset = load_ruleset(rules)
        if check:
            for warning in rules_without_examples(ruleset):
                typer.echo(f"Warning: {warning}", err=True)
            failures = check_examples(ruleset) + slow_rules(ruleset)  # compiles the rules as the engine reads them
    except RuleError as exc:
        fail(str(exc))
    if check:
        for failure in failures:
            error_line(failure)
        if failures:
            raise typer.Exit(1)
        typer.echo(f"{len(ruleset.rules)} rules in {len(ruleset.families)} files: all examples pass, every pattern within its time")
        return
    for rule in ruleset.rules:
        typer.echo(f"{rule.id:32} {rule.path.name:16} {rule.description}")


@app.command()
def report(
    dataset: Path = typer.Argument(Path("data"), help="Dataset folder (or claims file) to review."),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="HTML file to write."),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Gold claims (folder of .jsonl or one file): mark misses and false positives."),
    rules: Optional[Path] = RulesOption,
) -> None:
    """Write one self-contained HTML page to review claims in their documents.

    Every claim is highlighted in its text; a filterable table scrolls the text
    to a claim on click; charts compare programmes, tiers and money. The page
    needs no network to open.

    Example: extractor report data --out report.html --gold tests/gold
    """
    from .report import write_report

    for path in (dataset, gold):
        if path is not None and not path.exists():
            fail(f"{path}: no such file or folder")
    try:
        summary = write_report(dataset, out, gold, rules)
    except (ValueError, FileNotFoundError, RuleError) as exc:
        fail(str(exc))
    scored = "" if summary.misses is None else f", {summary.misses} missed, {summary.false_positives} false positives"
    typer.echo(f"{summary.documents} documents, {summary.claims} claims, {summary.texts_missing} texts not found{scored} -> {out}", err=True)


def _show(table) -> None:
    """A rich table on stdout; wide enough not to fold Chinese text when stdout is not a terminal."""
    console = Console()
    (console if console.is_terminal else Console(width=240)).print(table)


@app.command(name="diff")
@rows_output("diff")
def diff_command(
    old: Path = typer.Argument(..., help="Old side: a document, a folder of documents, or a dataset (data/)."),
    new: Path = typer.Argument(..., help="New side: a document, a folder of documents, or a dataset."),
    only: Optional[List[str]] = typer.Option(None, "--only", help="Keep only rows of this status: changed, added, removed, unchanged (repeatable)."),
    keep_repeats: bool = typer.Option(False, "--keep-repeats", help="Keep claims that repeat earlier text of their document (is_repeat)."),
    rules: Optional[Path] = RulesOption,
    output: RowsOut = None,
) -> None:
    """Compare the claims of two versions, documents, years or runs: changed, added, removed.

    Claims of two versions of one text align by position; others by their
    indicator (metric, programme, tier, unit and the subject's words, however
    worded) and kind, then period, year and order.
    The table shows changed, added and removed rows (unchanged ones only when
    --only asks); --out writes every row unless --only narrows them (an .xlsx
    workbook: a diff sheet).

    Example: extractor diff seeds/000_c2029cb520c589b8.txt seeds/002_046af103274ec285.txt --only changed
    """
    from .diff import STATUSES, diff, diff_table
    from .sources import load_side

    unknown = [s for s in only or [] if s not in STATUSES]
    if unknown:
        fail(f"unknown status {unknown[0]!r} for --only (choose from {', '.join(STATUSES)})")
    try:
        sides = [load_side(path, rules) for path in (old, new)]
        rows = diff(sides[0].claims, sides[1].claims, old_texts=sides[0].texts, new_texts=sides[1].texts,
                    old_documents=sides[0].documents, new_documents=sides[1].documents, keep_repeats=keep_repeats, rules=rules)
    except (RuleError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    for side in sides:
        if side.documents is not None:
            for error in side.documents["error"].dropna():
                error_line(error)
    statuses = only or (list(STATUSES) if output.path is not None else ["changed", "added", "removed"])
    shown = rows[rows["status"].isin(statuses)]
    if output.path is not None:
        output.write({"diff": shown})
    else:
        _show(diff_table(shown))
    counts = rows["status"].value_counts()
    typer.echo(", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES) + (f" -> {output.path}" if output.path else ""), err=True)


@app.command(name="series")
@rows_output("series")
def series_command(
    inputs: List[Path] = typer.Argument(..., help="A dataset (data/), documents or folders of documents."),
    subject: Optional[str] = typer.Option(None, "--subject", "-s", help="Only series whose indicator holds every word of this (word order, quotes and tier words ignored)."),
    long: bool = typer.Option(False, "--long", help="One row per claim instead of one row per series and a column per year."),
    by: str = typer.Option("subject", "--by", help="Pivot columns: subject (each indicator over years), period (each indicator over periods in time order, 一季度 and 1-3月 one column), document (each indicator over documents, so two versions of one year stay apart) or region (each indicator and year over places)."),
    keep_repeats: bool = typer.Option(False, "--keep-repeats", help="Keep claims that repeat earlier text of their document (is_repeat)."),
    rules: Optional[Path] = RulesOption,
    output: RowsOut = None,
) -> None:
    """Lay each indicator's values over documents, years, periods and places (indicator x year).

    A claim that states no year takes the year its document reports on: the
    latest year its figures state, else its date's (marked * in the table,
    year_source=document in the long table). An .xlsx workbook holds the
    pivot (series sheet) and the long table (claims sheet).

    Example: extractor series data --subject 高新技术企业 --by region --format xlsx
    """
    import pandas as pd

    from .sources import load_side
    from .series import BY, pivot, series, series_table

    if by not in BY:
        fail(f"unknown pivot {by!r} for --by (choose from {', '.join(BY)})")
    try:
        sides = [load_side(path, rules) for path in inputs]
        claims = pd.concat([side.claims for side in sides], ignore_index=True)
        frames = [side.documents for side in sides if side.documents is not None]
        documents = pd.concat(frames, ignore_index=True) if frames else None
        rows = series(claims, documents, subject=subject, keep_repeats=keep_repeats, rules=rules)
    except (RuleError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    wide = pivot(rows, by)
    if output.path is not None:
        output.write({"claims": rows} if long else {"series": wide, "claims": rows})
    else:
        _show(series_table(rows, wide=not long, by=by))
    typer.echo(f"{len(rows)} claims in {len(wide)} series" + (f" -> {output.path}" if output.path else ""), err=True)


def run() -> None:  # pragma: no cover - entry point for `python -m extractor`
    app(prog_name="extractor")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
