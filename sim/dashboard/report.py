"""The one-click debrief: what was set, what happened, which mechanisms moved which states, predictions vs outcomes.

:func:`write_debrief` writes a folder ``outputs/dashboard/<time>_<scenario>_run<k>/`` with ``debrief.md`` (figures
beside it in ``figures/``) and ``debrief.html`` (one self-contained file, figures embedded, what the browser
downloads). Both are built from one list of blocks (:class:`Doc`), so they say the same thing.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.dashboard.band import Band
from sim.dashboard.charts import SeriesChart
from sim.dashboard.explain import breakdown, event_label, movers, region_mechanisms, signed
from sim.dashboard.predictions import Prediction, made_when
from sim.dashboard.session import DashboardModel
from sim.dynamics.alignment import TERMS
from sim.paths import PROJECT_ROOT
from sim.reporting import figures, labels
from sim.reporting.figures import CHINA_RED, US_BLUE

OUTPUT_ROOT = PROJECT_ROOT / "outputs" / "dashboard"
MINUS = "\u2212"


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


@dataclass
class Doc:
    """Blocks of a report: ``("h1"|"h2"|"p"|"code", text)``, ``("table", header, rows)``, ``("img", file, caption)``."""

    blocks: list[tuple] = field(default_factory=list)

    def h1(self, text: str) -> None:
        self.blocks.append(("h1", text))

    def h2(self, text: str) -> None:
        self.blocks.append(("h2", text))

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def code(self, text: str) -> None:
        self.blocks.append(("code", text))

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.blocks.append(("table", list(header), [list(r) for r in rows]))

    def img(self, file: str, caption: str) -> None:
        self.blocks.append(("img", file, caption))

    def markdown(self) -> str:
        """The report as Markdown (figures referenced relative to the report)."""
        out = []
        for block in self.blocks:
            kind = block[0]
            if kind == "h1":
                out.append(f"# {block[1]}")
            elif kind == "h2":
                out.append(f"## {block[1]}")
            elif kind == "p":
                out.append(block[1])
            elif kind == "code":
                out.append(f"```sh\n{block[1]}\n```")
            elif kind == "table":
                header, rows = block[1], block[2]
                lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
                lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
                out.append("\n".join(lines) if rows else "(none)")
            elif kind == "img":
                out.append(f"![{block[2]}]({block[1]})\n\n*{block[2]}*")
        return "\n\n".join(out) + "\n"

    def html(self, folder: Path, title: str) -> str:
        """The report as one HTML page, figures (read from ``folder``) embedded as data URIs."""
        esc = html.escape
        body = []
        for block in self.blocks:
            kind = block[0]
            if kind in ("h1", "h2", "p"):
                body.append(f"<{kind}>{esc(block[1])}</{kind}>")
            elif kind == "code":
                body.append(f"<pre><code>{esc(block[1])}</code></pre>")
            elif kind == "table":
                header, rows = block[1], block[2]
                if not rows:
                    body.append("<p>(none)</p>")
                    continue
                head = "".join(f"<th>{esc(str(h))}</th>" for h in header)
                trs = "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in r) + "</tr>" for r in rows)
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>")
            elif kind == "img":
                data = base64.b64encode((folder / block[1]).read_bytes()).decode("ascii")
                body.append(
                    f'<figure><img alt="{esc(block[2])}" src="data:image/png;base64,{data}">'
                    f"<figcaption>{esc(block[2])}</figcaption></figure>"
                )
        style = (
            "body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45;color:#222}"
            "table{border-collapse:collapse;margin:0.5em 0 1em}td,th{border:1px solid #ccc;padding:3px 8px;"
            "text-align:left;font-size:0.92em}th{background:#f2f2f2}img{max-width:100%}"
            "figcaption{font-size:0.9em;color:#555}pre{background:#f6f6f6;padding:0.6em;white-space:pre-wrap}"
        )
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
        )


@dataclass(frozen=True)
class Debrief:
    """A written debrief: its folder, the Markdown and HTML files, and the HTML as bytes (for the download)."""

    folder: Path
    markdown: Path
    html: Path
    html_bytes: bytes


def _lever_text(lever: str) -> str:
    if lever == "all":
        return "every lever"
    return labels.label_with_unit(lever, "key")


def _moves_table(model: DashboardModel) -> list[list[str]]:
    rows = []
    for mv in model.moves:
        states = "every state" if mv.iso3 is None else model.names.get(mv.iso3, mv.iso3)
        value = "back to the scenario" if mv.value is None else f"{mv.value:g}"
        before = "" if not np.isfinite(mv.before) else f"{mv.before:g}"
        when = f"{mv.month} (during the run)" if mv.during_run else f"{mv.month} (from the start)"
        rows.append([when, _lever_text(mv.lever), states, value, before])
    return rows


def _band_text(band: Band, quantity: str, month: str, digits: int) -> str:
    if month not in band.dates:
        return ""
    i = band.index(month)
    q = band.mean_q if quantity == "regional_mean_alignment" else band.bri_q
    fmt = (lambda v: signed(v, digits)) if digits else (lambda v: f"{v:.0f}")
    return f"unchanged scenario in {month}: median {fmt(q[1, i])}, 5\u201395% of {band.replications} runs " + (
        f"{fmt(q[0, i])} to {fmt(q[2, i])}"
    )


def _mechanism_figure(model: DashboardModel, states: Sequence[str], path: Path, source: str) -> None:
    """Horizontal bars: each mechanism's contribution since the start for up to three states."""
    n = max(1, len(states))
    with rc_context({"font.size": 10, "axes.spines.top": False, "axes.spines.right": False}):
        fig = Figure(figsize=(4.4 * n, 0.36 * len(TERMS) + 1.6))
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, n, sharey=True, squeeze=False)[0]
        names = [labels.label(t, "mechanism") for t in TERMS]
        y = np.arange(len(TERMS))[::-1]
        for ax, iso3 in zip(axes, states, strict=False):
            b = breakdown(model, iso3)
            values = {r.term: r.total for r in b.rows}
            v = np.array([values[t] for t in TERMS])
            ax.barh(y, v, color=[CHINA_RED if x > 0 else US_BLUE for x in v], height=0.7)
            ax.axvline(0, color="0.3", lw=0.8)
            ax.set_yticks(y, names)
            ax.set_title(f"{b.name}: net {signed(b.net_total)}", fontsize=11, fontweight="bold")
            lim = max(0.005, float(np.abs(v).max()) * 1.15)
            ax.set_xlim(-lim, lim)
            ax.set_xlabel(f"since {b.start_month}, {labels.CHANGE_UNIT}", fontsize=9)
        fig.suptitle("What moved the states that moved most (+ toward China, \u2212 toward the US)", fontsize=11.5)
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        fig.text(0.005, 0.005, source, fontsize=7, color="0.4", ha="left", va="bottom")
        fig.savefig(path, dpi=110)


def _unique_folder(root: Path, name: str) -> Path:
    folder = root / name
    k = 1
    while folder.exists():
        k += 1
        folder = root / f"{name}-{k}"
    folder.mkdir(parents=True)
    return folder


def build_doc(model: DashboardModel, predictions: Sequence[Prediction], band: Band, files: dict[str, str]) -> Doc:
    """The debrief's blocks (``files`` names the figure files written beside it)."""
    doc = Doc()
    cfg = model.config
    doc.h1(
        f"Debrief: {labels.humanise(model.scenario_name)}, run {model.run_index}, {model.start_label} to {model.date}"
    )
    doc.p(f"Scenario question: {cfg.question}" if cfg.question else f"Scenario {model.scenario_name}.")
    doc.p("Scale. " + labels.describe("alignment"))
    doc.h2("What was set")
    doc.table(["From", "Lever (unit)", "States", "Value", "Planned before"], _moves_table(model))
    doc.p(
        "The same levers from the start, with the same random draws (this run is replication "
        f"{model.run_index} of the ensemble):"
    )
    doc.code(model.initial.command())
    if any(mv.during_run for mv in model.moves):
        doc.p(
            "Levers moved during the run are not part of that command (the table gives their months); the dashboard's "
            "Reset replays them from the start."
        )
    doc.h2("What happened")
    mean, bri = model.regional_mean, model.bri_count
    doc.p(
        f"{labels.label('regional_mean_alignment')}: {signed(mean[0])} in {model.start_label}, {signed(mean[-1])} in "
        f"{model.date} ({_band_text(band, 'regional_mean_alignment', model.date, 3)})."
    )
    doc.p(
        f"{labels.label('bri_members')}: {bri[0]} in {model.start_label}, {bri[-1]} in {model.date} "
        f"({_band_text(band, 'bri_members', model.date, 0)})."
    )
    events = [e for e in model.events if e.kind != "election"]
    doc.table(
        ["Month", "State", "Event", "Detail"],
        [[e.month, model.names[e.iso3], event_label(e.kind), e.detail] for e in events],
    )
    n_elections = sum(1 for e in model.events if e.kind == "election")
    doc.p(f"Elections held: {n_elections} (changes of government are listed above).")
    doc.h2("Which mechanisms moved which states")
    doc.table(
        ["Mechanism", "Contribution to the regional mean", "State it moved most", "By"],
        [[lab, signed(v), model.names[c], signed(x)] for lab, v, c, x in region_mechanisms(model)],
    )
    rows = []
    for iso3, change in movers(model):
        b = breakdown(model, iso3)
        top = [f"{r.label} {signed(r.total)}" for r in b.rows[:3]]
        rows.append([b.name, signed(change), "; ".join(top)])
    doc.p("The states that moved most, with their three largest pulls since the start:")
    doc.table(["State", "Change of alignment", "Largest pulls"], rows)
    doc.h2("Predictions and outcomes")
    doc.table(
        ["Prediction", "Made", "Outcome", "Verdict", "Unchanged scenario"],
        [
            [p.text(model.names), made_when(p, model), v.outcome, v.status, v.context]
            for p in predictions
            for v in [p.judge(model, band)]
        ],
    )
    doc.h2("Figures")
    doc.img(files["series"], "This run against the unchanged scenario's ensemble band")
    doc.img(files["map"], "Alignment at the start, now, and the change")
    doc.img(files["mechanisms"], "Mechanisms behind the largest moves")
    return doc


def write_debrief(
    model: DashboardModel,
    predictions: Sequence[Prediction],
    band: Band,
    root: Path = OUTPUT_ROOT,
    now: datetime | None = None,
) -> Debrief:
    """Write the debrief of ``model``'s run so far under ``root`` and return where."""
    stamp = (now or datetime.now()).strftime("%Y-%m-%d_%H-%M-%S")
    folder = _unique_folder(root, f"{stamp}_{model.scenario_name}_run{model.run_index}")
    (folder / "figures").mkdir()
    files = {"series": "figures/series.png", "map": "figures/map.png", "mechanisms": "figures/mechanisms.png"}
    footer = labels.run_footer(model.scenario_name, model.initial.overrides(), extra=f"run {model.run_index}")
    source = f"Source: this model run ({footer}; levers moved during the run listed in the debrief)"
    chart = SeriesChart(model, band)
    chart.update(predictions)
    chart.fig.text(0.005, 0.003, source, fontsize=6.5, color="0.4", ha="left", va="bottom")
    (folder / files["series"]).write_bytes(chart.figure_png(dpi=120))
    start = dict(zip(model.world.iso3, model.alignment_path[0].tolist(), strict=True))
    end = dict(zip(model.world.iso3, model.alignment_path[-1].tolist(), strict=True))
    figures.plot_choropleth(
        start, end, folder / files["map"], f"{model.start_label} (start)", f"{model.date} (this run)", footer=footer
    )
    _mechanism_figure(model, [c for c, _ in movers(model, 3)], folder / files["mechanisms"], source)
    doc = build_doc(model, predictions, band, files)
    md = folder / "debrief.md"
    md.write_text(doc.markdown(), encoding="utf-8")
    page = doc.html(folder, f"Debrief: {model.scenario_name}")
    out = folder / "debrief.html"
    out.write_text(page, encoding="utf-8")
    return Debrief(folder, md, out, page.encode("utf-8"))
