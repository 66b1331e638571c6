"""Benchmark: characters per second of the extractor against a floor and its peers, and peak memory.

    python bench/bench_extract.py                 # a 50 MB corpus built from seeds/, and 4x that for memory
    python bench/bench_extract.py --mb 5 --large 0 --no-peers   # a quick look

Every measurement runs in its own process, so each peak memory is its own:
  floor    reading the files and one compiled `regex` scan for number candidates
  extract  the full extraction (pipeline.extract_document per file), one process
  cn2an    cn2an.transform(text, "cn2an") over the same texts (a numeral converter)
  jionlp   jionlp.ner.extract_money(text) over the same texts, when jionlp is installed
  cli-jN   `extractor extract CORPUS --jobs N`, end to end with writing the dataset
  mixed    floor, extract, extract_text (the notebook call, a DataFrame per text), passes (the
           extraction with every claim's fields left unread: what no per-claim speed-up
           removes), cn2an and jionlp taking turns file by file in one process: their
           ratios, which a shared machine's load changes far less than separate runs'
Rates of single-process runs use CPU time (the machine may be shared); rates of
CLI runs use wall time. Results go to bench/results/bench-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

from corpus import build  # noqa: E402

# Number candidates, as a reader would first look for them: Arabic digits or Chinese numerals.
FLOOR_PATTERN = r"[0-9０-９]+(?:[.．][0-9０-９]+)?|[〇零一二两兩三四五六七八九十百千万萬亿億]+"
PHASES = ("floor", "extract", "cn2an", "jionlp", "mixed")


# -- phases, each run in a child process ----------------------------------------------
def _texts(paths: list[Path]):
    for path in paths:
        yield path.read_bytes().decode("utf-8")


def phase_floor(paths: list[Path]) -> dict:
    import regex

    pattern = regex.compile(FLOOR_PATTERN)
    found = 0
    for text in _texts(paths):
        found += sum(1 for _ in pattern.finditer(text))
    return {"items": found}


def phase_extract(paths: list[Path]) -> dict:
    from extractor.pipeline import extract_document, get_extractor

    extractor = get_extractor(None)
    _mark("setup")
    claims = 0
    for path in paths:
        claims += len(extract_document(path, extractor).claims)
    return {"items": claims}


def phase_cn2an(paths: list[Path]) -> dict:
    import cn2an

    cn2an.transform("一", "cn2an")  # loads its tables
    _mark("setup")
    changed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns on every numeral-like word it cannot convert
        for text in _texts(paths):
            changed += cn2an.transform(text, "cn2an") != text
    return {"items": changed}


def phase_jionlp(paths: list[Path]) -> dict:
    import jionlp

    jionlp.ner.extract_money("共计300万元。")  # loads its dictionaries
    _mark("setup")
    found = 0
    for text in _texts(paths):
        found += len(jionlp.ner.extract_money(text))
    return {"items": found}


def _passes_only():
    """The engine with each sentence's claims left unread: reading, normalising, metadata, tables, the
    document's context, the scan and every candidate's value, but no claim's fields (metric, subject,
    kind, tier, year). Its time is the least a faster per-claim reading could bring the extraction to."""
    from extractor.engine import Extractor

    class PassesOnly(Extractor):
        def _sentence_claims(self, sentence, document, doc, before_sentence):
            return []

    return PassesOnly()


def phase_mixed(paths: list[Path]) -> dict:
    """Every method on each file in turn, CPU seconds summed per method: the same load falls on all of them."""
    import regex

    from extractor.pipeline import extract_document, extract_text, get_extractor

    pattern, extractor, passes = regex.compile(FLOOR_PATTERN), get_extractor(None), _passes_only()
    methods = {
        "floor": lambda path: sum(1 for _ in pattern.finditer(path.read_bytes().decode("utf-8"))),
        "extract": lambda path: extract_document(path, extractor),
        "extract_text": lambda path: extract_text(path.read_bytes().decode("utf-8")),
        "passes": lambda path: extract_document(path, passes),
    }
    try:
        import cn2an

        cn2an.transform("一", "cn2an")
        methods["cn2an"] = lambda path: cn2an.transform(path.read_bytes().decode("utf-8"), "cn2an")
    except ImportError:
        pass
    try:
        import jionlp

        jionlp.ner.extract_money("共计300万元。")
        methods["jionlp"] = lambda path: jionlp.ner.extract_money(path.read_bytes().decode("utf-8"))
    except ImportError:
        pass
    _mark("setup")
    cpu = dict.fromkeys(methods, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in paths:
            for name, method in methods.items():
                started = time.process_time()
                method(path)
                cpu[name] += time.process_time() - started
    return {"items": len(paths), "method_cpu_s": cpu}


_marks: dict[str, tuple[float, float]] = {}


def _mark(name: str) -> None:
    _marks[name] = (time.perf_counter(), time.process_time())


def run_phase(name: str, corpus: Path) -> None:
    """Child side: time one phase after its setup, print one JSON line."""
    paths = sorted(corpus.glob("*.txt"))
    _mark("setup")
    result = globals()[f"phase_{name}"](paths)
    wall0, cpu0 = _marks["setup"]
    result.update(wall_s=time.perf_counter() - wall0, cpu_s=time.process_time() - cpu0)
    print(json.dumps(result))


# -- the parent: processes, memory, ratios ----------------------------------------------
def _sample_tree(process, cpu: dict[int, float]) -> int:
    """Memory of a process and all its descendants; records each one's CPU seconds so far in `cpu`.

    PSS (shared pages divided among the processes sharing them) where the system
    tells it, so forked workers are not counted twice for the pages they share.
    """
    total = 0
    for proc in [process, *process.children(recursive=True)]:
        try:
            info = proc.memory_full_info()
            total += getattr(info, "pss", info.rss)
            times = proc.cpu_times()
            cpu[proc.pid] = times.user + times.system
        except Exception:  # a child that just ended
            pass
    return total


def measure(command: list[str]) -> tuple[subprocess.CompletedProcess, float, int, float]:
    """Run a command; (result, wall seconds, peak memory and CPU seconds of its process tree, sampled every 20 ms,
    or 20 times as long as a sample took when that is longer).

    A sample reads each process's smaps for PSS, about 10 ms of CPU for a tree of five processes; taken every
    20 ms it took a quarter of a core, which `--jobs 2` on two cores pays and `--jobs 1` does not (1.58x
    against 1.89-1.92x for the same runs without the sampler)."""
    import psutil

    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample():
        nonlocal peak
        process = psutil.Process(child.pid)
        while not done.is_set():
            sampled_at = time.perf_counter()
            try:
                peak = max(peak, _sample_tree(process, cpu))
            except psutil.NoSuchProcess:
                return
            time.sleep(max(0.02, 20 * (time.perf_counter() - sampled_at)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    done.set()
    sampler.join()
    return subprocess.CompletedProcess(command, child.returncode, out, err), time.perf_counter() - started, peak, sum(cpu.values())


def corpus_chars(paths: list[Path]) -> int:
    return sum(len(text) for text in _texts(paths))


def bench_phase(name: str, corpus: Path, chars: int) -> dict:
    result, wall, peak, _ = measure([sys.executable, __file__, "--phase", name, "--corpus", str(corpus)])
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["failed"])[-1]
        return {"skipped": last}
    row = json.loads(result.stdout.strip().splitlines()[-1])
    row.update(chars_per_s=chars / row["cpu_s"], process_wall_s=wall, peak_mb=peak / 2**20)
    return row


def bench_cli(corpus: Path, chars: int, jobs: int, out: Path) -> dict:
    command = [sys.executable, "-c", "from extractor.cli import run; run()",
               "extract", str(corpus), "--out", str(out), "--jobs", str(jobs), "--quiet"]
    result, wall, peak, cpu = measure(command)
    if result.returncode != 0:
        raise SystemExit(f"Error: {' '.join(command)} failed: {result.stderr.strip()[-400:]}")
    return {"jobs": jobs, "wall_s": wall, "cpu_s": cpu, "chars_per_s": chars / wall, "peak_mb": peak / 2**20}


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip() or None
    except OSError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50, help="corpus size in MB (default 50)")
    parser.add_argument("--large", type=float, default=4, help="also run the CLI on a corpus this many times larger (0: no)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="processes for the parallel CLI run (default: all cores)")
    parser.add_argument("--no-peers", action="store_true", help="skip cn2an and jionlp")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, args.corpus)
        return

    corpus = RESULTS / f"corpus-{args.mb:g}mb"
    paths = build(corpus, args.mb)
    chars = corpus_chars(paths)
    report = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "corpus": {"path": str(corpus), "files": len(paths), "bytes": sum(p.stat().st_size for p in paths), "chars": chars},
        "phases": {},
    }
    for name in PHASES:
        if args.no_peers and name in ("cn2an", "jionlp"):
            continue
        print(f"{name} ...", file=sys.stderr, flush=True)
        report["phases"][name] = bench_phase(name, corpus, chars)
    runs = {}
    for jobs in sorted({1, args.jobs}):
        print(f"cli --jobs {jobs} ...", file=sys.stderr, flush=True)
        runs[f"cli-j{jobs}"] = bench_cli(corpus, chars, jobs, RESULTS / "out")
    if args.large:
        large = RESULTS / f"corpus-{args.mb * args.large:g}mb"
        large_paths = build(large, args.mb * args.large)
        print(f"cli --jobs {args.jobs} on {args.mb * args.large:g} MB ...", file=sys.stderr, flush=True)
        runs[f"cli-j{args.jobs}-x{args.large:g}"] = bench_cli(large, corpus_chars(large_paths), args.jobs, RESULTS / "out")
    report["cli"] = runs
    report["ratios"] = ratios(report["phases"], runs, args.jobs, args.large)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_report(report)
    print(f"-> {path}")


def ratios(phases: dict, runs: dict, jobs: int, large: float) -> dict:
    """Rates relative to each other: above 1 means the first is faster (or, for memory, bigger)."""
    rate = {name: row["chars_per_s"] for name, row in phases.items() if "chars_per_s" in row}
    out = {}
    if "extract" in rate:
        for other in ("floor", "cn2an", "jionlp"):
            if other in rate:
                out[f"extract/{other}"] = rate["extract"] / rate[other]
    mixed = phases.get("mixed", {}).get("method_cpu_s", {})
    for other in ("floor", "cn2an", "jionlp"):
        if "extract" in mixed and other in mixed:
            out[f"extract/{other} (mixed, one process)"] = mixed[other] / mixed["extract"]
    if "extract_text" in mixed and "jionlp" in mixed:
        out["extract_text/jionlp (mixed, one process)"] = mixed["jionlp"] / mixed["extract_text"]
    for other in ("floor", "cn2an", "jionlp"):  # the most a per-claim speed-up could give
        if "passes" in mixed and other in mixed:
            out[f"passes only/{other} (mixed, one process)"] = mixed[other] / mixed["passes"]
    if "passes" in mixed and "extract" in mixed:
        out["passes only/extract time (mixed, one process)"] = mixed["passes"] / mixed["extract"]
    if jobs != 1:
        out[f"cli-j{jobs}/cli-j1 speed"] = runs[f"cli-j{jobs}"]["chars_per_s"] / runs["cli-j1"]["chars_per_s"]
    if large:
        out[f"cli-j{jobs} x{large:g} corpus / x1 peak memory"] = runs[f"cli-j{jobs}-x{large:g}"]["peak_mb"] / runs[f"cli-j{jobs}"]["peak_mb"]
    return out


def print_report(report: dict) -> None:
    corpus = report["corpus"]
    print(f"corpus: {corpus['files']} files, {corpus['bytes'] / 2**20:.1f} MiB, {corpus['chars'] / 1e6:.1f} M chars")
    print(f"{'run':24} {'M chars/s':>10} {'peak MiB':>9} {'CPU s':>7}")
    for name, row in report["phases"].items():
        if "skipped" in row:
            print(f"{name:24} skipped: {row['skipped']}")
        elif "method_cpu_s" in row:  # one process, methods taking turns: a rate per method
            for method, cpu in row["method_cpu_s"].items():
                print(f"{'mixed: ' + method:24} {corpus['chars'] / cpu / 1e6:10.2f} {row['peak_mb']:9.0f} {cpu:7.1f}")
        else:
            print(f"{name:24} {row['chars_per_s'] / 1e6:10.2f} {row['peak_mb']:9.0f} {row['cpu_s']:7.1f}")
    for name, row in report["cli"].items():
        print(f"{name:24} {row['chars_per_s'] / 1e6:10.2f} {row['peak_mb']:9.0f} {row['cpu_s']:7.1f}")
    for name, value in report["ratios"].items():
        print(f"{name:40} {value:.3f}")


if __name__ == "__main__":
    main()
