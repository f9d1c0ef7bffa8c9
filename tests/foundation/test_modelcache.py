"""The model folder keeps the newest models only; the fingerprint does not depend on the process."""

from __future__ import annotations

import os
from pathlib import Path

from tools.modelcache import fingerprint, prune_models


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


def test_the_fingerprint_is_the_same_in_every_process(store_db_url: str) -> None:
    """Each fingerprint reads the catalog in a new interpreter, with its own hash seed."""
    env = {**os.environ, "DATABASE_URL": store_db_url}
    assert len({fingerprint(env=env) for _ in range(3)}) == 1
