"""MkDocs hook: the performance page shows the benchmark's latest results, read from
bench/results/ at build time with the benchmark's own report code, so that no figure is
copied into the page's text. The chart is published beside it."""

import json
import sys
from pathlib import Path
from types import SimpleNamespace

from mkdocs.structure.files import File

BASE_DIR = Path(__file__).resolve().parents[2]
RESULTS = BASE_DIR / "bench" / "results"
CHART = "assets/bench/latest.png"
MARKERS = {
    "<!-- results: bench/results/latest.json -->": lambda: benchmark_report(),
    "<!-- results: bench/results/inprocess.json -->": lambda: inprocess_report(),
}


def benchmark_report():
    from bench.run import build_report

    results = json.loads((RESULTS / "latest.json").read_text())
    return build_report(results, results["machine"], SimpleNamespace(**results["settings"]))


def inprocess_report():
    from bench.inprocess import report

    return report(json.loads((RESULTS / "inprocess.json").read_text()))


def on_config(config):
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    return config


def on_files(files, config):
    files.append(File.generated(config, CHART, abs_src_path=str(RESULTS / "latest.png")))
    return files


def on_page_markdown(markdown, page, config, files):
    for marker, render in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return markdown
