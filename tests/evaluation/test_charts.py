"""The report's charts: PNG images drawn without a display, with labels taken as plain text."""

from __future__ import annotations

import base64
import os
import tempfile

import pytest

from evaluation import charts

RATE = {"k": 3, "n": 4, "value": 0.75, "low": 0.3006, "high": 0.9544}


def test_a_label_that_looks_like_math_is_drawn_as_text() -> None:
    chart = charts.grouped_rates_chart(["coût $x_1$ ^{2} \\frac", "(non précisé)"], [("Bonne source", [RATE, None])])
    assert chart.data_uri.startswith("data:image/png;base64,")
    assert base64.b64decode(chart.data_uri.split(",", 1)[1]).startswith(b"\x89PNG")
    assert 300 < chart.width < 1200 and chart.height > 100


def test_without_a_writable_home_matplotlib_works_in_a_private_temporary_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "MPLCONFIGDIR"}
    monkeypatch.setattr(os, "environ", environ)
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    charts._figure_class()
    assert environ["MPLBACKEND"] == "Agg"
    assert environ["MPLCONFIGDIR"].startswith(tempfile.gettempdir()) and os.path.isdir(environ["MPLCONFIGDIR"])
