"""Benchmark: hostile text and converted inputs, as ratios to plain text of the same size measured in the same run.

    python bench/bench_hostile.py            # 2 MB per case
    python bench/bench_hostile.py --mb 50    # the issue's 50 MB single line (minutes)

Cases (each extracted by pipeline.extract_document from a file, CPU time):
  baseline     the seed documents repeated, lines kept
  one-line     the same text on one line, full stops kept
  run-on       the same text on one line, every 。！？ made a comma (sentences cut at MAX_SENTENCE)
  digits       one run of digits, then a claim
  letters      one run of Latin letters, then a claim
  cn-numerals  one run of 一, then a claim
  spaces       one run of spaces, then a claim
  html, docx, pdf   the seed documents converted (per-format reading cost, small sizes)
A ratio of about 1 means hostile text costs what ordinary text costs; a case
that outruns the scanner's timeout is reported with its error. Results go to
bench/results/hostile-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from extractor.pipeline import extract_document, get_extractor  # noqa: E402

CLAIM = "，全市企业19家。"


def seeds_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))


def sized(unit: str, size: int) -> str:
    """`unit` repeated to about `size` UTF-8 bytes."""
    return unit * max(1, size // len(unit.encode()))


def cases(size: int) -> dict[str, tuple[str, bytes]]:
    seeds = seeds_text()
    made = {
        "baseline": sized(seeds, size),
        "one-line": sized(seeds.replace("\n", ""), size),
        "run-on": sized(seeds.replace("\n", "").replace("。", "，").replace("！", "，").replace("？", "，"), size),
        "digits": sized("1", size) + CLAIM,
        "letters": sized("a", size) + CLAIM,
        "cn-numerals": sized("一", size) + CLAIM,
        "spaces": sized(" ", size) + CLAIM,
    }
    return {name: (".txt", text.encode("utf-8")) for name, text in made.items()}


def converted() -> dict[str, tuple[str, bytes]]:
    """The seed documents as HTML, Word and PDF (PDF needs reportlab, the test extra)."""
    import docx
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    paragraphs = [line.strip() for line in seeds_text().split("\n") if line.strip()]
    page = "<html><head><meta charset='utf-8'></head><body><nav><a href='/'>首页</a></nav><article>" + \
        "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>"
    word = docx.Document()
    for p in paragraphs:
        word.add_paragraph(p)
    docx_bytes = io.BytesIO()
    word.save(docx_bytes)
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf_bytes = io.BytesIO()
    pdf = canvas.Canvas(pdf_bytes)
    y = 800
    for p in paragraphs:
        for start in range(0, len(p), 36):
            if y < 60:
                pdf.showPage()
                y = 800
            pdf.setFont("STSong-Light", 12)
            pdf.drawString(60, y, p[start:start + 36])
            y -= 18
    pdf.save()
    return {"txt": (".txt", "\n".join(paragraphs).encode("utf-8")), "html": (".html", page.encode("utf-8")),
            "docx": (".docx", docx_bytes.getvalue()), "pdf": (".pdf", pdf_bytes.getvalue())}


def measure(suffix: str, raw: bytes, folder: Path) -> dict:
    path = folder / f"case{suffix}"
    path.write_bytes(raw)
    started = time.process_time()
    result = extract_document(path, get_extractor())
    seconds = time.process_time() - started
    return {"bytes": len(raw), "chars": result.row["chars"], "claims": len(result.claims),
            "status": result.row["status"], "error": result.row["error"], "cpu_s": round(seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python bench/bench_hostile.py", description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=2.0, help="size of each hostile case in MB (default 2)")
    args = parser.parse_args()
    get_extractor()  # compile once, outside the timings
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (suffix, raw) in {**cases(int(args.mb * 1_000_000)), **converted()}.items():
            results[name] = measure(suffix, raw, Path(tmp))
            print(f"{name:12} {results[name]}", flush=True)
    base = results["baseline"]["cpu_s"] / results["baseline"]["bytes"]
    plain = results["txt"]["cpu_s"] / results["txt"]["bytes"]
    for name, row in results.items():
        per_byte = row["cpu_s"] / row["bytes"]
        row["ratio"] = round(per_byte / (plain if name in ("txt", "html", "docx", "pdf") else base), 2)
    print("ratios to plain text of the same kind:", {name: row["ratio"] for name, row in results.items()})
    out = HERE / "results" / f"hostile-{datetime.datetime.now():%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"mb": args.mb, "results": results}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"-> {out}")


if __name__ == "__main__":
    main()
