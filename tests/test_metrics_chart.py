"""The metrics chart: a 900×500 PNG that matplotlib reads back, for busy and for empty figures, and
matplotlib left unimported until a chart is drawn."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime

import matplotlib.image
import pytest

from bot.policy.model import load_policy
from bot.reports.chart import render_chart
from bot.reports.metrics import (
    CustomerCount,
    Metrics,
    MetricsInputs,
    SeverityInputs,
    compute_metrics,
    parse_period,
)

POLICY = load_policy(None)
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MINUTE, HOUR = 60_000, 3_600_000


def _busy() -> Metrics:
    # Each severity a different story: SEV-1 late on both (bars past the target line, one beyond the
    # chart's 3× cap), SEV-2 on time, SEV-3 nothing resolved yet, SEV-4 nothing at all.
    inputs = MetricsInputs(
        by_severity={
            "SEV-1": SeverityInputs(
                escalations=3,
                first_response_ms=[20 * MINUTE, 25 * MINUTE, 40 * MINUTE],
                resolution_ms=[30 * HOUR, 40 * HOUR],
                unresolved_age_ms=[50 * HOUR],
            ),
            "SEV-2": SeverityInputs(
                escalations=2, first_response_ms=[10 * MINUTE, 20 * MINUTE], resolution_ms=[HOUR]
            ),
            "SEV-3": SeverityInputs(escalations=1, first_response_ms=[HOUR], unresolved_age_ms=[HOUR]),
        },
        customers=2,
        top_customers=[CustomerCount("Acme Corp", 4)],
    )
    return compute_metrics(inputs, POLICY, parse_period("30d", NOW, POLICY), NOW)


def _empty() -> Metrics:
    return compute_metrics(MetricsInputs(by_severity={}), POLICY, parse_period("quarter", NOW, POLICY), NOW)


@pytest.mark.parametrize("metrics", [_busy(), _empty()], ids=["busy", "empty"])
def test_the_chart_is_a_900_by_500_png(metrics: Metrics) -> None:
    png = render_chart(metrics, POLICY)
    assert png.startswith(PNG_SIGNATURE)
    pixels = matplotlib.image.imread(io.BytesIO(png))
    assert pixels.shape[:2] == (500, 900)


def test_the_chart_shows_the_figures_it_is_given() -> None:
    # Not the same picture for different figures: the bars are drawn from them.
    assert render_chart(_busy(), POLICY) != render_chart(_empty(), POLICY)


def test_matplotlib_is_imported_only_to_draw() -> None:
    code = (
        "import sys, bot.reports.chart, blocks.reports.metrics, storage.metrics; "
        "print('matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
