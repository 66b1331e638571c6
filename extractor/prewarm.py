"""Imported by the worker server of a local run (parallel.worker_context) before it forks any worker.

The built-in rules are compiled and run once there, so every worker forked
from it starts with them compiled and its lazy tables (places, normaliser,
hyperscan databases) loaded, instead of spending about a second on that
itself. A run with `--rules` still compiles its own rules in each worker.
"""

from .pipeline import extract_claims, get_extractor

try:
    extract_claims("2025年，北京市新增国家级专精特新“小巨人”企业19家，同比增长9.5%。", get_extractor(None))
except Exception:  # noqa: BLE001 - the server must start whatever happens: a worker compiles, and reports, the rules itself
    pass
