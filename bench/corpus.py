"""A benchmark corpus built from seeds/: the same kind of text, many documents.

Each generated document keeps a seed's head (title, issuer, 文号) and foot
(signature, date) and fills its body with paragraphs drawn from all seeds,
with every Arabic number re-drawn (years stay years). The same size and seed
give the same files, so runs on different days compare.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_NUMBER = re.compile(r"\d+")
_HEAD_LINES = 6
_FOOT_LINES = 3


def _vary(text: str, rng: random.Random) -> str:
    """Every digit run re-drawn with the same length; a 19xx/20xx year stays a year."""

    def draw(match: re.Match) -> str:
        digits = match.group()
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return str(rng.randint(2015, 2030))
        first = str(rng.randint(1, 9)) if digits[0] != "0" else "0"
        return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])

    return _NUMBER.sub(draw, text)


def build(directory: Path, megabytes: float, seed: int = 5) -> list[Path]:
    """Write documents under `directory` until they hold `megabytes` of UTF-8; reuse a finished build."""
    manifest = directory / "manifest.json"
    wanted = {"megabytes": megabytes, "seed": seed, "seeds": sorted(p.name for p in SEEDS.glob("*.txt"))}
    if manifest.exists() and json.loads(manifest.read_text())["params"] == wanted:
        return [directory / name for name in json.loads(manifest.read_text())["files"]]
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.txt"):
        old.unlink()
    seeds = [p.read_text(encoding="utf-8").splitlines() for p in sorted(SEEDS.glob("*.txt"))]
    bodies = [line for lines in seeds for line in lines[_HEAD_LINES:-_FOOT_LINES] if line.strip()]
    rng = random.Random(seed)
    target, written, files = int(megabytes * 2**20), 0, []
    while written < target:
        base = seeds[len(files) % len(seeds)]
        body = rng.sample(bodies, k=min(len(bodies), rng.randint(20, 60)))
        text = _vary("\n".join(base[:_HEAD_LINES] + body + base[-_FOOT_LINES:]) + "\n", rng)
        path = directory / f"{len(files):06d}.txt"
        data = text.encode("utf-8")
        path.write_bytes(data)
        written += len(data)
        files.append(path)
    manifest.write_text(json.dumps({"params": wanted, "files": [p.name for p in files], "bytes": written}))
    return files
