"""Benchmarks of events and confidence: the TICO-19 stories, link confidence, rated news
pairs, the events stage at scale, facts shared by independent reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import workbench
from workbench.cli.console import fail, out
from workbench.cli.shared import (
    EmbedderOption,
)
from workbench.embed import DEFAULT_EMBEDDER, fitted_prefix

from .common import (
    Part,
    Split,
    embedder_key,
    eval_app,
    eval_folder,
    eval_workdir,
    print_reliability,
)


@eval_app.command("events")
def eval_events_command(
    folder: Annotated[Path, typer.Argument(help="../shared/eval/tico19")],
    split_name: Annotated[Split, typer.Option("--split", help="dev tunes; test reports.")] = (
        Split.test
    ),
    seed: Annotated[int, typer.Option(help="Seed of the corpus (partial versions, names).")] = 0,
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
    workdir: Annotated[
        Path | None, typer.Option(help="Folder for the corpus and its workspace (cached).")
    ] = None,
) -> None:
    """Events and threads (pairwise F1 over document pairs) on the TICO-19 story corpus,
    then link confidence: ECE, reliability and cross-story links above 0.5."""
    from workbench.align.confidence import calibration_for

    from ..events import confidence_report, events_benchmark, link_samples

    folder = eval_folder(folder, "events")
    workdir = eval_workdir(workdir)
    run = events_benchmark(folder, split_name.value, workdir, embedder, seed)
    out.print(
        f"data:tico19-stories|split:{run.split}|seed:{seed}|docs:{run.documents}|"
        f"stories:{run.stories}|articles:{run.threads_gold}|embedder:{embedder}",
        highlight=False,
    )
    for name, score in (("events", run.events), ("threads", run.threads)):
        out.print(
            f"{name}: pairwise P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f} "
            f"({score.gold} gold pairs, {score.predicted} predicted)",
            highlight=False,
        )
    out.print(f"grouping took {run.seconds:.1f} s", highlight=False)
    samples = link_samples(folder, split_name.value, workdir, embedder, seed)
    calibration = calibration_for(embedder_key(embedder))
    if calibration is None:
        raise fail("no confidence calibration ships for this embedder")
    _print_confidence(confidence_report(samples, calibration, split_name.value))


LINK_COLUMNS = ("confidence", "links", "mean confidence", "share right")


def _print_confidence(report) -> None:
    w, full = report.within_story, report.within_full
    out.print(
        f"within-story links (1:1 pairs): P {w.precision:.3f} R {w.recall:.3f} F1 {w.f1:.3f}; "
        f"complete versions only: P {full.precision:.3f} R {full.recall:.3f} F1 {full.f1:.3f}; "
        f"wrong links with confidence >= 0.5: {report.wrong_confident}",
        highlight=False,
    )
    out.print(
        f"confidence: {report.links} links ({report.positives} right), "
        f"ECE (10 bins) {report.ece:.3f}",
        highlight=False,
    )
    print_reliability(report.bins, "reliability, every link", LINK_COLUMNS)
    kinds = Table(title="by kind of document pair")
    for column in ("pairs of", "links", "right", "shown (>= 0.5)", "shown right", "ECE"):
        kinds.add_column(column)
    for kind, f in sorted(report.by_kind.items()):
        kinds.add_row(
            kind, str(f.links), str(f.right), str(f.shown), str(f.shown_right), f"{f.ece:.3f}"
        )
    out.print(kinds)
    for kind, f in sorted(report.by_kind.items()):
        print_reliability(f.bins, f"reliability, {kind}", LINK_COLUMNS)


@eval_app.command("confidence")
def eval_confidence_command(
    folder: Annotated[Path, typer.Argument(help="../shared/eval/tico19")],
    fit: Annotated[
        bool, typer.Option(help="Fit the calibration on the dev split and write it.")
    ] = False,
    seed: Annotated[
        list[int] | None,
        typer.Option(
            help="Seed of the corpus (which sentences the comparable versions drop, shuffle"
            " and add); repeat it to pool several corpora into one figure."
        ),
    ] = None,
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
    workdir: Annotated[Path | None, typer.Option(help="Folder for the corpus (cached).")] = None,
    semeval: Annotated[
        Path | None,
        typer.Option(
            help="../shared/eval/semeval2022t8-dev: add the links between independent reports"
            " labelled in its fit part (--fit) or report part."
        ),
    ] = None,
) -> None:
    """Fit (``--fit``, dev split) or check (test split) the link-confidence calibration."""
    from workbench.align.confidence import CALIBRATION_FILE, calibration_for, shipped_calibrations

    from ..events import confidence_report, fit_calibration, link_samples
    from ..facts import fact_samples

    folder = eval_folder(folder, "confidence")
    workdir = eval_workdir(workdir)
    key = embedder_key(embedder)
    if semeval is not None:
        semeval = eval_folder(semeval, "confidence")
    calibration = None if fit else calibration_for(key)
    if not fit and calibration is None:
        raise fail("no confidence calibration ships for this embedder")
    seeds = seed or [0]
    split = "dev" if fit else "test"
    samples = [s for n in seeds for s in link_samples(folder, split, workdir, embedder, n)]
    if fit:
        named = ", ".join(map(str, seeds))
        plural = "s" if len(seeds) > 1 else ""
        note = f"tico19-stories dev seed{plural} {named}, with comparable versions"
        if semeval is not None:
            samples += fact_samples(semeval, workdir, embedder, "fit")
            note += "; semeval2022t8-dev fit part, facts-fit.json"
        calibration = fit_calibration(samples, key, note)
        data = {k: c.to_json() for k, c in shipped_calibrations().items()}
        data[fitted_prefix(data, key) or key] = calibration.to_json()
        path = Path(workbench.__file__).parent / "data" / CALIBRATION_FILE
        path.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
        shipped_calibrations.cache_clear()
        out.print(f"wrote {path}", highlight=False)
        _print_confidence(confidence_report(samples, calibration, "dev"))
        return
    if semeval is not None:
        samples += fact_samples(semeval, workdir, embedder, "report")
    _print_confidence(confidence_report(samples, calibration, "test"))


@eval_app.command("same-event")
def eval_same_event_command(
    semeval: Annotated[Path, typer.Argument(help="../shared/eval/semeval2022t8-dev")],
    tico: Annotated[Path, typer.Argument(help="../shared/eval/tico19")],
    fit: Annotated[
        bool, typer.Option(help="Fit the same-event model on the fit parts and write it.")
    ] = False,
    workdir: Annotated[
        Path | None, typer.Option(help="Folder for the corpora and workspaces (cached).")
    ] = None,
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
) -> None:
    """Events and threads of the rated news pairs (split by article) and the TICO-19
    story corpus: pairwise figures on the report part (``--fit``: fit on the fit part, for
    the embedder's vectors)."""
    from workbench.events import MODEL_FILE, fitted_for, same_event_model
    from workbench.events import shipped_same_event_models as shipped

    from ..same_event import (
        corpora,
        fit_model,
        grouping_figures,
        labelled_pairs,
        pair_ranking,
        pair_reliability,
    )

    semeval, tico = eval_folder(semeval, "same-event"), eval_folder(tico, "same-event")
    workdir = eval_workdir(workdir)
    part = "fit" if fit else "report"
    key = embedder_key(embedder)
    found = corpora(semeval, tico, part, workdir, embedder)
    if fit:
        model = fit_model(
            [labelled_pairs(c) for c in found],
            key,
            "semeval2022t8-dev fit part + tico19-stories dev (seed 0)",
        )
        data = shipped() | {fitted_for(key) or key: model.to_json()}
        path = Path(workbench.__file__).parent / "data" / MODEL_FILE
        path.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
        same_event_model.cache_clear()
        out.print(f"wrote {path}", highlight=False)
    elif fitted_for(key) is None:
        out.print(f"no same-event model was fitted for {key}: {DEFAULT_EMBEDDER}'s is used")
    model = same_event_model(key)
    for corpus in found:
        figures = grouping_figures(corpus, model)
        table = pair_reliability(corpus, model)
        name = "semeval2022t8-dev" if corpus.source == "semeval" else "tico19-stories"
        out.print(
            f"data:{name}|part:{part}|docs:{figures.documents}|embedder:{embedder}",
            highlight=False,
        )
        for what, score in (
            ("events", figures.events),
            ("events, cross-language pairs", figures.cross_events),
            ("threads", figures.threads),
            ("threads, cross-language pairs", figures.cross_threads),
        ):
            out.print(
                f"  {what}: P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f} "
                f"({score.gold} gold pairs, {score.predicted} joined)",
                highlight=False,
            )
        ranked, ranked_across, alone = pair_ranking(corpus, model)
        out.print(
            f"  same-event probability: AUC {ranked:.3f} (across languages"
            f" {ranked_across:.3f}); each pair decided alone at 0.5, no clustering:"
            f" P {alone.precision:.3f} R {alone.recall:.3f} F1 {alone.f1:.3f}",
            highlight=False,
        )
        out.print(f"  same-event probability: ECE (10 bins) {table.ece:.3f}", highlight=False)
        print_reliability(table.bins, "same-event probability")


@eval_app.command("events-scale")
def eval_events_scale_command(
    documents: Annotated[int, typer.Argument(help="Documents.")] = 10_000,
    sentences: Annotated[int, typer.Argument(help="Sentences in all.")] = 300_000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic vectors.")] = 0,
) -> None:
    """The events stage's grouping from vectors already computed (synthetic, 384 dims):
    time and peak traced memory."""
    from ..same_event import events_scale

    run = events_scale(documents, sentences, seed)
    out.print(
        f"events stage from cached vectors: {run.documents} documents, {run.sentences} "
        f"sentences: {run.seconds:.1f} s, peak traced memory {run.peak_mb:.0f} MB "
        f"({run.events} events, {run.threads} threads)",
        highlight=False,
    )


@eval_app.command("facts")
def eval_facts_command(
    semeval: Annotated[Path, typer.Argument(help="../shared/eval/semeval2022t8-dev")],
    workdir: Annotated[
        Path | None, typer.Option(help="Folder for the corpus and its workspace (cached).")
    ] = None,
    part: Annotated[
        Part, typer.Option(help="report (read to report) or fit (to choose rules on).")
    ] = Part.report,
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
) -> None:
    """Links between independent reports of one story (pairs of the rated news articles
    rated the same story): do the links shown state the same fact? Against
    workbench_eval/data's labels (facts-report.json, facts-fit.json)."""
    from workbench.align.confidence import SHOWN_CONFIDENCE

    from ..facts import labelled_links, marked, score

    semeval = eval_folder(semeval, "facts")
    labelled = labelled_links(semeval, eval_workdir(workdir), embedder, part.value)
    table = Table(title=f"same-fact links, {len(labelled)} pairs of independent reports")
    for column in ("confidence from", "links shown", "P (same)", "P (same or partial)", "R"):
        table.add_column(column)
    for floor in (0.0, 0.3, 0.5, 0.7, 0.9):
        r = score(labelled, floor)
        table.add_row(
            f"{floor:g}",
            str(r.shown),
            f"{r.precision:.3f}",
            f"{r.precision_lenient:.3f}",
            f"{r.recall:.3f} ({r.same_found} of {r.same})",
        )
    out.print(table)
    floor = SHOWN_CONFIDENCE
    for is_marked, (links, right) in sorted(marked(labelled, floor).items(), reverse=True):
        out.print(
            f"links shown (confidence {floor} or more) "
            f'{"marked" if is_marked else "not marked"} "numbers differ": {links}, right {right}'
            + (f" ({right / links:.2f})" if links else ""),
            highlight=False,
        )
