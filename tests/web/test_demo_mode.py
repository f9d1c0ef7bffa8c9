"""Demo sign-in exists only while the store is the sample store, whatever credentials.yml says.

The sample loader records demo mode; a real ``python -m store import`` (here: the sample's own
customers, demo tags included, imported as a real store would be) records that it is not, even
when the imported ``store.yaml`` claims otherwise. A Rasa server on that store then offers no
demo customers and refuses demo sign-in with 403.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests
from sqlalchemy import select

from core.settings import PROJECT_ROOT
from store.db import make_engine, session_scope
from store.info import demo_mode
from store.models import Customer
from storefront.channels.storefront_catalog import DEMO_TAG, demo_customers
from tests.support.stacks import copy_store, second_stack_env
from tools.launcher import Stack

AVA = "ava.shopper@example.com"


@pytest.fixture(scope="module")
def real_store(store_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the session store, replaced by a real import of the sample's own exports."""
    folder = tmp_path_factory.mktemp("real_store")
    url = copy_store(store_db_url, folder)
    policies = folder / "policies"
    shutil.copytree(PROJECT_ROOT / "data" / "store", policies)
    with (policies / "store.yaml").open("a", encoding="utf-8") as store_yaml:
        store_yaml.write("\ndemo_mode: true\n")  # a real store cannot switch demo sign-in on
    exports = Path(store_db_url.split("///", 1)[1]).parent / "sample"
    result = subprocess.run(
        [sys.executable, "-m", "store", "import", "--products", str(policies / "products.csv"),
         "--customers", str(exports / "customers.csv"), "--policies", str(policies)],
        cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return url


def test_the_sample_store_is_in_demo_mode(store_db_url: str) -> None:
    with session_scope(make_engine(store_db_url)) as session:
        assert demo_mode(session) is True
        assert AVA in [c["email"] for c in demo_customers(session)]


def test_a_real_import_ends_demo_mode(real_store: str) -> None:
    with session_scope(make_engine(real_store)) as session:
        tagged = [c.email for c in session.execute(select(Customer)).scalars() if DEMO_TAG in (c.tags or [])]
        assert AVA in tagged  # the customers are there, tags and all
        assert demo_mode(session) is False
        assert demo_customers(session) == []


@pytest.fixture(scope="module")
def real_stack(
    trained_model: Path, stack_env: Dict[str, str], real_store: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("real_stack")
    running = Stack(
        model=trained_model,
        env=second_stack_env(stack_env, tmp, DATABASE_URL=real_store),
        log_dir=tmp / "logs",
    ).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.integration
def test_after_a_real_import_the_page_offers_no_demo_sign_in(real_stack: Stack) -> None:
    base = f"{real_stack.rasa_url}/webhooks/storefront"
    offered = requests.get(f"{base}/api/demo-customers", timeout=30)
    assert (offered.status_code, offered.json()) == (200, {"customers": []})
    refused = requests.post(f"{base}/api/sign-in", json={"email": AVA}, timeout=30)
    assert refused.status_code == 403
    assert "token" not in refused.json()
    # the page hides the control when no demo customer is offered
    script = requests.get(f"{base}/assets/store.js", timeout=30).text
    assert "select.parentNode.hidden = body.customers.length === 0;" in script
