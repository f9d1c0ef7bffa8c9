"""Responses and the code that sends them agree (Rasa's validator cannot see inside actions).

See tools/response_usage.py: this checks both directions across stories, rules, forms and
the Python that runs in the action server and the Rasa server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT
from tools.response_usage import CODE_DIRS, ResponseReport, response_report


@pytest.fixture(scope="module")
def report() -> ResponseReport:
    return response_report()


def test_every_response_sent_by_code_exists(report: ResponseReport) -> None:
    missing = sorted(report.missing_in_code)
    assert not missing, f"code sends responses that domain.yml does not define: {missing}"


def test_every_response_is_used_somewhere(report: ResponseReport) -> None:
    unused = sorted(report.unused)
    assert not unused, f"responses nobody sends (delete them or use them): {unused}"


def test_data_uses_only_defined_responses(report: ResponseReport) -> None:
    missing = sorted(report.missing_in_data)
    assert not missing, f"stories or rules use responses domain.yml does not define: {missing}"


def test_the_report_sees_responses_only_actions_send(report: ResponseReport) -> None:
    # action_size_help sends it; no story or rule names it.
    assert "utter_size_no_chart" in report.sent_by_code and report.ok


def test_a_response_an_action_sends_but_the_domain_lacks_is_reported(tmp_path: Path) -> None:
    (tmp_path / "actions").mkdir()
    (tmp_path / "storefront").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "domain.yml").write_text("responses:\n  utter_hello:\n    - text: hi\n")
    (tmp_path / "actions" / "a.py").write_text('dispatcher.utter_message(response="utter_helo")\n')
    (tmp_path / "data" / "rules.yml").write_text("rules:\n- rule: x\n  steps:\n  - action: utter_hello\n")
    report = response_report(tmp_path)
    assert report.missing_in_code == {"utter_helo"} and not report.ok


def test_code_dirs_exist() -> None:
    for folder in CODE_DIRS:
        assert Path(PROJECT_ROOT, folder).is_dir()
