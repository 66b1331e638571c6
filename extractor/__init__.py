"""extractor: quantitative claims from Chinese SME policy documents, with their spans.

    from extractor import extract_text, extract_texts, extract_paths, load_dataset, diff, series, build_dataset
"""

__version__ = "0.1.0"

from .build import BuildOptions, build_dataset  # noqa: E402
from .dataset import load_dataset  # noqa: E402
from .diff import diff  # noqa: E402
from .pipeline import extract_paths, extract_text, extract_texts  # noqa: E402
from .series import series  # noqa: E402

__all__ = ["__version__", "extract_text", "extract_texts", "extract_paths", "load_dataset", "diff", "series",
           "build_dataset", "BuildOptions"]
