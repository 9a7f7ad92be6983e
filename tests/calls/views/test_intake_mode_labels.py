from __future__ import annotations

import re
from pathlib import Path

from triage.engine import MODES

INTAKE_JS = Path(__file__).resolve().parents[3] / "static" / "js" / "intake.js"


def test_it_names_every_co_response_mode_of_the_engine_on_the_intake_screen():
    block = re.search(r"const MODE_LABELS = \{(.*?)\};", INTAKE_JS.read_text(), re.S).group(1)
    labelled = set(re.findall(r"^\s*([A-Z_]+):", block, re.M))

    assert labelled == set(MODES)
