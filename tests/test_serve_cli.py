"""`python -m mlsys_helpers serve` starts a demo model on 127.0.0.1 (a real process)."""

from __future__ import annotations

import subprocess
import sys

from mlsys_helpers.__main__ import main
from mlsys_helpers.serve import post_json


def test_serve_command_starts_a_demo_model_on_loopback():
    process = subprocess.Popen(
        [sys.executable, "-m", "mlsys_helpers", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert "serving a demo loan model (defensive contract) on http://127.0.0.1:" in first
        url = first.strip().rsplit(" ", 1)[-1]
        applicant = {"income": 52_000, "debt_ratio": 0.31, "age": 40, "loan_amount": 12_000}
        status, body = post_json(url + "/predict", applicant)
        assert status == 200 and body["prediction"] in (0, 1)
        assert post_json(url + "/predict", [1, 2, 3])[0] == 422
    finally:
        process.terminate()  # stopped by its PID
        process.wait(timeout=30)


def test_unknown_command_prints_usage(capsys):
    assert main(["bogus"]) == 2
    assert "python -m mlsys_helpers serve" in capsys.readouterr().err
