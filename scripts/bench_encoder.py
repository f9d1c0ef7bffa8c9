"""Micro-benchmark of the sentence encoder alone: CPU and wall time per text by batch size.

The texts are the held-out messages of ``tests/nlu/test_data.yml`` (entity markup removed), taken
in file order and encoded ``batch`` at a time, as the parse worker hands them over. OpenBLAS is kept
to one thread as in the server (``--threads`` changes it). Prints one row per batch size: the best
and median of ``--repeats`` passes over all texts, CPU (``time.process_time``) and wall, in
milliseconds per text::

    .venv/bin/python scripts/bench_encoder.py --batches 1 4 16 --repeats 5
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path
from typing import List

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.settings import get_settings
from storefront.nlu.minilm import MiniLM

TEST_DATA = Path(__file__).resolve().parents[1] / "tests" / "nlu" / "test_data.yml"
_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def test_texts(path: Path = TEST_DATA) -> List[str]:
    """The split's messages as a shopper typed them (``[#1064](order_number)`` -> ``#1064``)."""
    texts: List[str] = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in block.get("examples", "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                texts.append(_MARKUP.sub(r"\1", line[2:]))
    return texts


def measure(encoder: MiniLM, texts: List[str], batch: int, repeats: int) -> tuple:
    """(best CPU, median CPU, best wall, median wall), milliseconds per text."""
    cpu: List[float] = []
    wall: List[float] = []
    for _ in range(repeats):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        for first in range(0, len(texts), batch):
            encoder.encode(texts[first : first + batch])
        cpu.append((time.process_time() - cpu_start) * 1000 / len(texts))
        wall.append((time.perf_counter() - wall_start) * 1000 / len(texts))
    return min(cpu), statistics.median(cpu), min(wall), statistics.median(wall)


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (the server uses 1)")
    arguments = parser.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=arguments.threads, user_api="blas")
    encoder = MiniLM(get_settings().sentence_encoder_dir)
    texts = test_texts()
    encoder.encode(texts[:16])  # warm-up
    print(f"{len(texts)} texts, BLAS threads {arguments.threads}, {arguments.repeats} passes")
    print("| batch | CPU ms/text best | median | wall ms/text best | median |")
    print("|---:|---:|---:|---:|---:|")
    for batch in arguments.batches:
        best_cpu, median_cpu, best_wall, median_wall = measure(encoder, texts, batch, arguments.repeats)
        print(f"| {batch} | {best_cpu:.2f} | {median_cpu:.2f} | {best_wall:.2f} | {median_wall:.2f} |")


if __name__ == "__main__":
    main()
