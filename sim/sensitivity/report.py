"""Write an analysis of a study into its own folder (staged beside its target and renamed into place, DONE last).

Files of ``<study>/analysis/`` (or ``analysis-<name>/``):

====================  =====================================================================================
``indices.csv``       one row per (output, factor): the method's indices (``S1, S1_conf, ST, ST_conf``;
``indices.parquet``   ``mu, mu_star, mu_star_conf, sigma``; PAWN ``median, median_low, median_high, ...``),
                      ``influential``, ``above_noise`` (lower bound above the noise floor) and ``flags``
``second_order.csv``  S2 and its interval per factor pair (Sobol with ``calc_second_order``)
``noise.csv``         per output: variance of runs, within-set variance across replications, their shares,
                      the noise floor the flags use (within-set bound with common random numbers, else the
                      dummy's upper bound) and the dummy's indices
``convergence.csv``   the scalar outputs' indices at N/4, N/2 and N base points, flagged
``factors.csv``       the factors: bounds, distribution, unit, justification
``summary.json``      method, sizes, options, the top factors per scalar output, flag counts, timings
``figures/*.png``     bars (``bars_<output>.png``), Morris planes, heatmaps over years and states, convergence
``DONE``              written last
====================  =====================================================================================
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import atomic
from sim.folders import RunFolder
from sim.sensitivity import figures as fig
from sim.sensitivity.analysis import MAIN_INDEX, Analysis, Options, analyze, select_columns
from sim.sensitivity.outputs import SCALARS
from sim.sensitivity.space import DUMMY, Factor
from sim.sensitivity.store import Study

DONE = "DONE"


def study_factors(study: Study) -> list[Factor]:
    """The study's factors as :class:`Factor` objects (from study.json)."""
    return [
        Factor(f["factor"], f["kind"], tuple(f["bounds"]), f["dist"], (f["low"], f["high"]), f["unit"], f["why"])
        for f in study.meta["factors"]
    ]


def families(study: Study) -> Any:
    """``name -> columns`` for the study's output names and families."""
    columns = study.columns

    def expand(name: str) -> list[str]:
        if name in columns:
            return [name]
        found = [c for c in columns if c.split(":")[0] == name]
        if not found:
            raise KeyError(name)
        return found

    return expand


def footer(study: Study, opts: Options) -> str:
    """The identification line of the study's figures."""
    ident = study.meta["identity"]
    scenario = ident["config"].get("scenario_name", "")
    parts = [
        f"scenario {scenario}",
        f"{opts.method} N={ident['N']}",
        f"{len(study.factor_names)} factors",
        f"{study.replications} replications per set",
        "common random numbers" if common_streams(study) else "independent streams",
        f"seed {ident['seed']}",
        f"to {ident['config'].get('end', '')}",
    ]
    return " \u00b7 ".join(parts)


def common_streams(study: Study) -> bool:
    """Whether the study's replication ``k`` of every set drew stream ``k`` (studies made before the option drew
    independent streams)."""
    return bool(study.meta["identity"].get("common_random_numbers", False))


def independent_rows(study: Study) -> np.ndarray:
    """Rows of the sample that are independent points: every row, but for a Sobol' study only its A and B rows (the
    2N points of the Sobol' sequence; each other row repeats an A row in all columns but one)."""
    ident = study.meta["identity"]
    if ident["method"] != "sobol":
        return np.arange(study.rows)
    per = study.rows // int(ident["N"])
    base = np.arange(int(ident["N"])) * per
    return np.sort(np.concatenate([base, base + per - 1]))


def check_method(study: Study, opts: Options) -> None:
    """The analysis must fit the sample: Sobol and Morris need their own schemes (with the same
    ``calc_second_order`` / ``num_levels``); PAWN reads a PAWN sample or a Sobol' sample's A and B rows."""
    from sim.errors import SimInputError

    ident = study.meta["identity"]
    sampled = ident["method"]
    if opts.method == "pawn" and sampled == "morris":
        raise SimInputError(
            "method",
            "pawn",
            "a Morris sample's trajectories are not independent points; PAWN reads a PAWN or a Sobol' study",
        )
    if opts.method in ("sobol", "morris") and opts.method != sampled:
        raise SimInputError(
            "method", opts.method, f"this study's sample was drawn for {sampled}; {opts.method} needs its own sample"
        )
    if opts.method == "sobol" and bool(opts.calc_second_order) != bool(ident["calc_second_order"]):
        raise SimInputError(
            "calc_second_order",
            opts.calc_second_order,
            f"the sample was drawn with calc_second_order={str(ident['calc_second_order']).lower()}; SALib needs the "
            "same setting for sampling and analysis",
        )
    if opts.method == "morris" and opts.num_levels != ident.get("num_levels"):
        raise SimInputError(
            "num_levels", opts.num_levels, f"the sample was drawn with num_levels={ident.get('num_levels')}"
        )


def write_analysis(
    study: Study,
    opts: Options,
    outputs: list[str],
    name: str = "analysis",
    top: int = 20,
    plots: bool = True,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Analyse ``study`` (every batch must be finished) and write ``<study>/<name>/``; returns the folder (the
    streams setting of ``opts`` is the study's)."""
    check_method(study, opts)
    opts = replace(opts, common_random_numbers=common_streams(study))
    t0 = time.perf_counter()
    factors = study_factors(study)
    columns = select_columns(study.columns, outputs, families(study))
    folder = RunFolder.claim(study.root / name, "name")
    try:
        x = study.samples()
        y = study.outputs()
        n = int(study.meta["identity"]["N"])
        if opts.method == "pawn" and study.meta["identity"]["method"] == "sobol":
            rows = independent_rows(study)
            x, y, n = x[rows], y[rows], len(rows)
        result = analyze(factors, x, y, study.columns, columns, n, opts)
        out = folder.staging
        _tables(out, result, factors)
        seconds = time.perf_counter() - t0
        if plots:
            draw(out / "figures", result, opts, top, footer(study, opts))
        atomic.write_json(out / "summary.json", _summary(study, opts, result, seconds, extra or {}))
        atomic.write_text(out / DONE, "")
    except BaseException:
        folder.discard()
        raise
    return folder.commit()


def _tables(out: Path, result: Analysis, factors: list[Factor]) -> None:
    indices = result.indices.round(6)
    atomic.write_csv(indices, out / "indices.csv")
    atomic.write_parquet(indices, out / "indices.parquet")
    if result.second_order is not None:
        atomic.write_csv(result.second_order.round(6), out / "second_order.csv")
    atomic.write_csv(result.noise.round(8), out / "noise.csv")
    if len(result.convergence):
        atomic.write_csv(result.convergence.round(6), out / "convergence.csv")
    atomic.write_csv(pd.DataFrame([f.record() for f in factors]), out / "factors.csv")


def draw(folder: Path, result: Analysis, opts: Options, top: int, foot: str) -> list[Path]:
    """Every figure of an analysis (see the module docstring of :mod:`sim.sensitivity.figures`)."""
    paths = []
    method = opts.method
    idx = result.indices
    floors = result.noise.set_index("output")["noise_floor"]
    for out in [o for o in result.outputs if o in SCALARS]:
        floor = float(floors.get(out, np.nan))
        paths.append(
            fig.plot_bars(idx, out, method, folder / f"bars_{out}.png", top, foot, floor, opts.common_random_numbers)
        )
        if method == "morris":
            paths.append(fig.plot_morris_plane(idx, out, folder / f"morris_{out}.png", footer=foot))
    years = [o for o in result.outputs if o.startswith("regional_mean:")]
    if years:
        paths.append(
            fig.plot_heatmap(
                idx,
                years,
                method,
                folder / "heatmap_years.png",
                f"{fig.INDEX_TEXT.get(MAIN_INDEX[method], method)}: regional mean alignment by year",
                [o.split(":")[1] for o in years],
                top,
                foot,
            )
        )
    states = [o for o in result.outputs if o.startswith("alignment_end:")]
    if states:
        paths.append(
            fig.plot_heatmap(
                idx,
                states,
                method,
                folder / "heatmap_states.png",
                f"{fig.INDEX_TEXT.get(MAIN_INDEX[method], method)}: each state's alignment at the horizon",
                [fig.short_state(o.split(":")[1]) for o in states],
                top,
                foot,
            )
        )
    conv = result.convergence
    for out in sorted(set(conv["output"])) if len(conv) else []:
        paths.append(fig.plot_convergence(conv, out, method, folder / f"convergence_{out}.png", footer=foot))
    return paths


def _summary(study: Study, opts: Options, result: Analysis, seconds: float, extra: dict[str, Any]) -> dict[str, Any]:
    main = MAIN_INDEX[opts.method]
    idx = result.indices
    tops = {}
    for out in [o for o in result.outputs if o in SCALARS]:
        sub = idx[(idx["output"] == out) & (idx["factor"] != DUMMY)].nlargest(5, main)
        tops[out] = [{"factor": r.factor, main: round(float(getattr(r, main)), 4)} for r in sub.itertuples()]
    noise = result.noise.set_index("output")
    ident = study.meta["identity"]
    return {
        "study": str(study.root),
        "key": study.meta["key"],
        "method": opts.method,
        "sampled_with": ident["method"],
        "N": ident["N"],
        "factors": len(study.factor_names),
        "rows": study.rows,
        "replications": study.replications,
        "common_random_numbers": common_streams(study),
        "runs": study.rows * study.replications,
        "outputs": result.outputs,
        "constant_outputs": result.constant,
        "options": asdict(opts),
        "top_factors": tops,
        "noise_share_means": {
            o: _finite(noise.loc[o, "noise_share_means"]) for o in result.outputs if o in SCALARS and o in noise.index
        },
        "noise_share_runs": {
            o: _finite(noise.loc[o, "noise_share_runs"]) for o in result.outputs if o in SCALARS and o in noise.index
        },
        "noise_floor": {
            o: _finite(noise.loc[o, "noise_floor"]) for o in result.outputs if o in SCALARS and o in noise.index
        },
        "rows_flagged": int((idx["flags"] != "").sum()),
        "influential_rows": int(idx["influential"].sum()),
        "analysis_seconds": round(seconds, 2),
        **extra,
    }


def _finite(value: Any) -> float | None:
    v = float(value)
    return round(v, 6) if np.isfinite(v) else None
