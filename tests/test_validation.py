"""Validation against history runs end to end on a small budget and reports what it finds, with its baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.validation import targets


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    from sim.validate import main

    out = tmp_path_factory.mktemp("validation")
    assert main(["--runs", "8", "--out", str(out)]) == 0
    return out


def test_metrics_table_has_every_target_and_the_required_columns(validated):
    metrics = pd.read_csv(validated / "validation" / "metrics.csv")
    assert list(metrics.columns) == ["target", "split", "metric", "model", "persistence", "baseline", "n"]
    assert {
        "alignment_change_2012_2024",
        "bri_member_end_2019",
        "bri_accession_timing_2020_2025",
        "recognition_switch_2000_2024",
        "incumbent_defeat_2010_2021",
    } <= set(metrics["target"])
    assert metrics["model"].notna().all() and (metrics["n"] > 0).all()


def test_report_and_figures_are_written(validated):
    report = (validated / "validation.md").read_text()
    for heading in ("## Out-of-sample skill", "## History rates from a 2016 start", "## The alignment index"):
        assert heading in report
    for name in ("validation_index.png", "validation_accessions.png", "validation_reliability.png"):
        assert (validated / "img" / name).stat().st_size > 10_000


def test_scores_are_computed_as_defined():
    y = np.array([True, False, True, False])
    p = np.array([0.9, 0.2, 0.5, 0.0])
    assert targets.brier(p, y) == pytest.approx(np.mean((p - y) ** 2))
    clipped = np.clip(p, 0.01, 0.99)
    expected = -np.mean(np.where(y, np.log(clipped), np.log(1 - clipped)))
    assert targets.log_loss(p, y) == pytest.approx(expected)


def test_the_shipped_report_matches_the_shipped_metrics():
    """docs/validation.md is generated: it quotes exactly the numbers of validation/metrics.csv."""
    from sim.paths import PROJECT_ROOT

    metrics = pd.read_csv(PROJECT_ROOT / "validation" / "metrics.csv")
    report = (PROJECT_ROOT / "docs" / "validation.md").read_text()
    for row in metrics.itertuples():
        assert f"| {row.target} | {row.split} | {row.metric} | {row.model}" in report
