"""Benchmark of the sensitivity pipeline: ``sensitivity_benchmark()`` (called by ``python -m sim.bench``; also
``python -m sim.sensitivity.bench``).

A Sobol' study of the baseline (2025-11 .. 2030-12, 62 months, float32) over 12 factors (11 behavioural parameters
and the dummy), N = 1024, R = 2: N(D+2)R = 1024 x 14 x 2 = 28,672 runs on every core, timed end to end (sampling and
the study folder, the runs streamed to Parquet, the SALib analysis of every output with its convergence check;
figures timed apart). The engine's own rate is the same 28,672 runs (the same parameter values, the same precision)
through :func:`sim.runners.design.run_design` on as many processes, outcomes kept in memory; the pipeline's overhead
is how much lower its rate is.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

FACTORS = (
    "params.w_trade",
    "params.w_finance",
    "params.w_coercion",
    "params.w_ideology",
    "params.w_regime",
    "params.w_security",
    "params.w_neighbours",
    "params.w_institutions",
    "params.w_state",
    "params.neutral",
    "params.shock_sd",
)
"""The 11 model factors of the benchmark (the dummy makes 12)."""


def sensitivity_benchmark(n: int = 1024, replications: int = 2, workers: int | None = None) -> dict[str, Any]:
    """Time the pipeline end to end and the engine on the same runs; returns the figures (seconds, runs/s)."""
    from sim.runners.design import Design, run_design
    from sim.sensitivity import pipeline
    from sim.sensitivity.__main__ import compose_config
    from sim.sensitivity.analysis import select_columns
    from sim.sensitivity.report import draw, families, write_analysis
    from sim.sensitivity.store import read_study

    warnings.filterwarnings("ignore")
    cores = workers or os.cpu_count() or 1
    figures: dict[str, Any] = {"cores": cores, "N": n, "replications": replications}
    t0 = time.perf_counter()
    # SALib's import (about 0.5 s) belongs to the set-up, as in a process that has already analysed once
    import SALib.analyze.sobol
    import SALib.sample.sobol  # noqa: F401

    cfg = compose_config(
        [f"factors=[{','.join(FACTORS)}]", f"N={n}", f"replications={replications}", f"workers={cores}", "plots=false"]
    )
    spec = pipeline.build(cfg)
    evaluator = spec.evaluator()
    figures["setup_s"] = time.perf_counter() - t0  # SALib's import, configuration, world, masks (before the study)
    figures["factors"] = len(spec.factors)
    figures["runs"] = spec.runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "study"
        t_start = time.perf_counter()
        study, _ = pipeline.create(spec, root)
        t_runs = time.perf_counter()
        pipeline.run_slice(study, evaluator, list(range(study.n_batches)), cores, progress=False)
        t_analysis = time.perf_counter()
        folder = pipeline.finish(study, spec)
        t_end = time.perf_counter()
        assert folder is not None
        figures["sampling_s"] = t_runs - t_start
        figures["runs_s"] = t_analysis - t_runs
        figures["analysis_s"] = t_end - t_analysis
        figures["end_to_end_s"] = t_end - t_start
        t_fig = time.perf_counter()
        from sim.sensitivity.analysis import analyze

        x, y = study.samples(), study.outputs()
        columns = select_columns(study.columns, spec.outputs, families(read_study(root)))
        result = analyze(spec.factors, x, y, study.columns, columns, n, spec.options)
        draw(Path(tmp) / "figures", result, spec.options, spec.top, "")
        figures["analysis_with_figures_s"] = time.perf_counter() - t_fig
        assert write_analysis is not None
        # the engine's own rate: the same parameter sets and precision through run_design
        values = {f.short: x[:, j].astype(np.float64) for j, f in enumerate(spec.factors) if f.kind == "param"}
        design = Design(values, replications=replications)
        t_engine = time.perf_counter()
        run_design(
            spec.world,
            spec.run.params,
            design,
            spec.run.seed,
            chunk=1024,
            workers=cores,
            dtype=spec.run.dtype,
            progress=False,
        )
        figures["engine_s"] = time.perf_counter() - t_engine
    runs = figures["runs"]
    figures["pipeline_runs_per_s"] = runs / figures["runs_s"]
    figures["pipeline_end_to_end_runs_per_s"] = runs / figures["end_to_end_s"]
    figures["engine_runs_per_s"] = runs / figures["engine_s"]
    figures["overhead_runs"] = figures["engine_runs_per_s"] / figures["pipeline_runs_per_s"] - 1
    figures["overhead_end_to_end"] = figures["engine_runs_per_s"] / figures["pipeline_end_to_end_runs_per_s"] - 1
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}


def table(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """Rows for a printed table."""
    return [
        (
            f"Sobol N={figures['N']}, {figures['factors']} factors, R={figures['replications']}",
            f"{figures['runs']:,} runs on {figures['cores']} processes",
        ),
        ("  end to end (sampling, runs, analysis)", f"{figures['end_to_end_s']:.1f} s (target <= 15 s)"),
        (
            "  of which sampling / runs / analysis",
            f"{figures['sampling_s']:.2f} / {figures['runs_s']:.2f} / {figures['analysis_s']:.2f} s",
        ),
        ("  analysis with figures", f"{figures['analysis_with_figures_s']:.2f} s"),
        ("  set-up before (imports, configuration, world)", f"{figures['setup_s']:.2f} s"),
        (
            "  runs/s: pipeline runs / end to end / engine",
            f"{figures['pipeline_runs_per_s']:,.0f} / {figures['pipeline_end_to_end_runs_per_s']:,.0f} / "
            f"{figures['engine_runs_per_s']:,.0f}",
        ),
        (
            "  pipeline's overhead on the engine's runs/s",
            f"{100 * figures['overhead_runs']:+.0f}% (target < 20%); end to end, analysis included: "
            f"{100 * figures['overhead_end_to_end']:+.0f}%",
        ),
    ]


if __name__ == "__main__":
    result = sensitivity_benchmark()
    width = max(len(label) for label, _ in table(result))
    for label, value in table(result):
        print(f"{label:<{width}}  {value}")
    print(json.dumps(result))
