"""``make validate``: Rasa's validator on the domain, data and stories, with the warnings that matter.

Runs the checks of ``rasa data validate --fail-on-warnings`` in-process and adds the one Rasa
cannot do (``tools/response_usage.py``): every response a custom action sends must exist, and
every response must be sent by something. Rasa warns that a response is "not used in any story or
rule" whenever only an action sends it, about 150 times here; those warnings are left out when the
report shows who sends the response, so a real warning is not lost among them. Exits 1 on any
remaining warning or error.

    python scripts/validate.py [--root PROJECT_DIR]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import warnings
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

UNUSED = re.compile(r"The utterance '(utter_[a-z0-9_]+)' is not used in any story or rule")


def main() -> int:
    """Run the checks; print what needs attention; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the project to check (default: this one)")
    root = parser.parse_args().root.resolve()
    data = [str(root / "data" / folder) for folder in ("nlu", "rules", "stories")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from rasa.cli.utils import validate_files
        from rasa.shared.importers.importer import TrainingDataImporter
        from rasa.utils.common import EXPECTED_WARNINGS

        from tools.response_usage import response_report

        logging.getLogger("rasa").setLevel(logging.WARNING)
        importer = TrainingDataImporter.load_from_config(
            config_path=str(root / "config.yml"),
            domain_path=str(root / "domain.yml"),
            training_data_paths=data,
        )
        try:
            validate_files(fail_on_warnings=True, max_history=None, importer=importer)
            rasa_ok = True
        except SystemExit as exit_:
            rasa_ok = exit_.code in (0, None)
    report = response_report(root)

    shown: List[str] = []
    sent_by_actions = 0
    for warning in caught:
        if not issubclass(warning.category, UserWarning) or "/rasa/" not in warning.filename.replace(
            "\\", "/"
        ):
            continue  # library deprecation notices, not about this project's data
        message = str(warning.message)
        if any(
            issubclass(warning.category, kind) and re.match(pattern, message)
            for kind, pattern in EXPECTED_WARNINGS
        ):
            continue  # the ones Rasa's own CLI filters out (rasa.utils.common.EXPECTED_WARNINGS)
        unused = UNUSED.search(message)
        if unused and unused.group(1) in report.defined - report.unused:
            sent_by_actions += 1
            continue
        if message not in shown:
            shown.append(message)

    problems = [
        f"code sends {name}, which domain.yml does not define" for name in sorted(report.missing_in_code)
    ]
    problems += [
        f"stories or rules use {name}, which domain.yml does not define"
        for name in sorted(report.missing_in_data)
    ]
    problems += [f"nothing sends {name} (delete it or use it)" for name in sorted(report.unused)]

    print("Rasa's validator (domain, NLU data, stories, rules, forms, slot mappings):")
    for message in shown:
        print(f"  warning: {message}")
    print(
        f"  {'no errors' if rasa_ok else 'errors above'}, {len(shown)} warning(s); {sent_by_actions} "
        "'not used in any story or rule' notices left out: custom actions send those responses"
    )
    print("Responses and the code that sends them:")
    for problem in problems:
        print(f"  error: {problem}")
    if not problems:
        print(f"  all {len(report.defined)} responses exist where they are sent and are sent by something")
    ok = rasa_ok and not shown and not problems
    print("validation passed" if ok else "validation FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
