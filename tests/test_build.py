"""build_dataset: the one batch workflow, reading each input once."""

import collections
from pathlib import Path

import pytest

import extractor.documents as documents
from extractor import build_dataset
from extractor.build import BuildOptions
from extractor.dataset import load_dataset
from paths import SEEDS



def count_reads(monkeypatch) -> collections.Counter:
    """Reads of each input's bytes (by file name), however they are read: to hash, to save a text or to extract."""
    reads: collections.Counter = collections.Counter()
    read_bytes = Path.read_bytes

    def counting(path: Path) -> bytes:
        if path.parent == SEEDS:
            reads[path.name] += 1
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return reads


@pytest.mark.slow
def test_a_run_reads_and_decodes_each_input_once_and_saves_its_text(monkeypatch, tmp_path):
    reads = count_reads(monkeypatch)
    decoded = []
    read = documents.read
    monkeypatch.setattr(documents, "read", lambda suffix, raw: decoded.append(raw) or read(suffix, raw))
    summary = build_dataset([SEEDS], tmp_path / "out", BuildOptions(jobs=1))
    names = sorted(p.name for p in SEEDS.iterdir())
    assert sorted(reads) == names and set(reads.values()) == {1}
    assert len(decoded) == len(names) == summary.n_documents
    shas = load_dataset(tmp_path / "out", table="documents")["sha256"]
    assert sorted(p.name for p in (tmp_path / "out" / "texts").iterdir()) == sorted(f"{sha}.txt" for sha in shas)


def test_a_resumed_run_reads_a_kept_input_once_and_a_lost_text_is_saved_again(monkeypatch, tmp_path):
    out = tmp_path / "out"
    build_dataset([SEEDS], out, BuildOptions(jobs=1))
    lost = sorted((out / "texts").iterdir())[0]
    text = lost.read_bytes()
    lost.unlink()
    reads = count_reads(monkeypatch)
    build_dataset([SEEDS], out, BuildOptions(jobs=1, resume=True))
    # one read to hash each input; only the document whose text was lost is read again, to extract it
    assert sorted(reads.values()) == [1] * (len(reads) - 1) + [2]
    assert lost.read_bytes() == text
