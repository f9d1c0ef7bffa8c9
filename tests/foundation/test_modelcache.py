"""The model folder keeps the newest models only."""

from __future__ import annotations

import os
from pathlib import Path

from tools.modelcache import prune_models


def test_only_the_newest_models_are_kept(tmp_path: Path) -> None:
    for age, name in enumerate(
        ["storefront-a", "storefront-b", "storefront-c", "storefront-d", "storefront-e"]
    ):
        path = tmp_path / f"{name}.tar.gz"
        path.write_bytes(b"model")
        os.utime(path, (1_700_000_000 - age * 60, 1_700_000_000 - age * 60))  # a is the newest
    other = tmp_path / "my-experiment.tar.gz"
    other.write_bytes(b"not ours")

    removed = prune_models(tmp_path, keep=3)

    assert sorted(p.name for p in removed) == ["storefront-d.tar.gz", "storefront-e.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "my-experiment.tar.gz",
        "storefront-a.tar.gz",
        "storefront-b.tar.gz",
        "storefront-c.tar.gz",
    ]
    assert prune_models(tmp_path, keep=3) == []
