"""The bot that ``rasa init`` makes, as the benchmark's baseline (``make bench``).

The template ships inside the installed rasa package (``rasa/cli/initial_project``), so no
internet is needed. It is copied to a folder keyed by the template's content hash and trained once
with ``rasa train``; later runs find the archive and skip training. The baseline runs exactly as
``rasa init`` leaves it: ``rasa run --enable-api``, in-memory tracker and lock stores, no action
server (the template's actions are commented out).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

from tools.launcher import RASA_BIN, Process, _get
from tools.progress import run_logged

CACHE_DIR = Path.home() / ".cache" / "storefront-assistant" / "stock-rasa"
TEMPLATE_FILES = ("config.yml", "domain.yml", "credentials.yml", "endpoints.yml", "data")


def template_dir() -> Path:
    """``rasa/cli/initial_project`` of the installed rasa."""
    import rasa.cli

    return Path(rasa.cli.__file__).parent / "initial_project"


def template_fingerprint(template: Path) -> str:
    """Hash of the template's files and the rasa version (either changes the trained model)."""
    import rasa

    digest = hashlib.sha256(rasa.__version__.encode())
    for name in TEMPLATE_FILES:
        entry = template / name
        for path in sorted(entry.rglob("*.yml")) if entry.is_dir() else [entry]:
            digest.update(str(path.relative_to(template)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_stock_model(cache_dir: Path = CACHE_DIR, say: Callable[[str], None] = print) -> Path:
    """The trained ``rasa init`` model, training it (about a minute) only if it is not cached."""
    template = template_dir()
    project = cache_dir / template_fingerprint(template)
    model = project / "models" / "stock.tar.gz"
    if model.exists():
        say(f"Stock rasa init model is cached: {model}")
        return model
    if project.exists():
        shutil.rmtree(project)  # a training that was interrupted
    shutil.copytree(template, project, ignore=shutil.ignore_patterns("__pycache__"))
    say(f"Training the stock rasa init bot once (cached in {project}) ...")
    command = [RASA_BIN, "train", "--out", "models", "--fixed-model-name", "stock"]
    code = run_logged(command, project / "train.log", "rasa train (stock)", cwd=project)
    if code != 0 or not model.exists():
        raise RuntimeError(f"Training the stock bot failed (exit {code}); see {project / 'train.log'}")
    return model


@dataclass
class StockServer:
    """``rasa run --enable-api`` with the stock model, as a :class:`tools.launcher.Process`."""

    model: Path
    port: int
    log_dir: Path
    env: Dict[str, str]
    process: Optional[Process] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> List[str]:
        return [
            RASA_BIN, "run", "--enable-api", "--model", str(self.model),
            "--interface", "127.0.0.1", "--port", str(self.port),
        ]  # fmt: skip

    def healthy(self) -> bool:
        """The server answers ``/status`` with its model loaded (it answers before that, too)."""
        body = _get(f"{self.url}/status")
        if not body:
            return False
        try:
            return bool(json.loads(body).get("model_file"))
        except ValueError:
            return False

    def start(self) -> Process:
        # Run from the model's project folder: the template's endpoints.yml and credentials.yml.
        self.process = Process(
            "stock Rasa server", self.command(), self.log_dir / "stock-rasa.log", self.healthy
        )
        self.process.start({**self.env, "PYTHONPATH": ""}, cwd=self.model.parent.parent)
        return self.process

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


if __name__ == "__main__":
    print(ensure_stock_model())
    sys.exit(0)
