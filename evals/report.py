"""``assist eval all``: every suite, one report (JSON + Markdown + PNG plots) per day.

Suites: retrieval on the bundled corpus (and on the open-source corpus when its folder exists) for
hybrid, BM25, dense and the naive baseline; the router; dialogue scenarios; the answer tables
(tuning and held out); whole conversations over the REST API; the escalation rule table.
``quick`` runs what the quality gate needs (bundled retrieval without the baseline, router,
scenarios, answer tables, escalation).
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.dialogue.datasets import read_jsonl
from bot.dialogue.router import Router
from bot.dialogue.scenarios import load_scenarios, run_scenarios
from bot.escalation.accounts import load_accounts
from bot.escalation.calendar import BusinessCalendar
from bot.escalation.entitlements import decide
from bot.kb.embedder import Embedder
from bot.service.runtime import load_bundled_flows
from evals import plots
from evals.answers import evaluate_answers
from evals.conversations import run_suite, transcript_markdown
from evals.datasets import load_retrieval_questions
from evals.resolution import gaps_section, resolution_section, scenario_settings
from evals.resolution import render as render_resolution
from evals.routing import evaluate_router
from evals.runner import index_dir_for, run_retrieval_eval

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO / "evals" / "datasets"
OPEN_SOURCE = REPO.parent / "shared" / "corpora" / "opensource-av" / "docs"
Step = Callable[[str], None]


def escalation_table(accounts_dir: Path) -> dict[str, Any]:
    """Each case of evals/datasets/escalation.jsonl decided and compared field by field."""
    accounts = load_accounts(accounts_dir)
    rows = []
    for case in read_jsonl(
        DATASETS / "escalation.jsonl", ("id", "site", "asset", "category", "expected")
    ):
        site = accounts.site(str(case["site"]))
        assert site is not None, f"unknown site {case['site']}"
        when = BusinessCalendar.for_site(site).localize(
            datetime.fromisoformat(str(case["determined_at"]))
        )
        got: dict[str, Any] = decide(
            accounts,
            site.id,
            str(case["asset"]),
            str(case["category"]),
            str(case["remote_resolution"]),
            False,
            when,
            when,
        ).to_dict()
        expected: dict[str, Any] = dict(case["expected"])  # type: ignore[call-overload]
        wanted_actions: list[dict[str, Any]] = list(expected["actions"])
        problems = [
            f"{key}: expected {value!r}, got {got.get(key)!r}"
            for key, value in expected.items()
            if key != "actions" and got.get(key) != value
        ]
        got_actions = [
            {k: v for k, v in a.items() if k in e}
            for a, e in zip(got["actions"], wanted_actions, strict=False)
        ]
        if len(got["actions"]) != len(wanted_actions) or got_actions != wanted_actions:
            problems.append(f"actions: expected {wanted_actions}, got {got['actions']}")
        rows.append(
            {
                "id": case["id"],
                "note": case.get("note", ""),
                "passed": not problems,
                "problems": problems,
                "reasons": got["reasons"],
            }
        )
    passed = sum(r["passed"] for r in rows)
    return {
        "total": len(rows),
        "passed": passed,
        "pass_rate": passed / len(rows) if rows else 0.0,
        "cases": rows,
    }


def run_all(
    settings: Settings,
    embedder: Embedder,
    out_root: Path,
    *,
    quick: bool = False,
    step: Step | None = None,
    bundled_index: Path | None = None,
) -> dict[str, Any]:
    """Run the suites and write the report; ``bundled_index`` reuses an index of knowledge/docs."""
    say = step or (lambda _: None)
    out = out_root / date.today().isoformat()
    out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "date": date.today().isoformat(),
        "model": embedder.name,
        "versions": {
            p: metadata.version(p)
            for p in ("protelecom-assist", "chromadb", "bm25s", "sentence-transformers")
        },
        "machine": platform.platform(),
        "quick": quick,
        "retrieval": {},
        "plots": [],
    }
    corpora = [("bundled", REPO / "knowledge/docs", DATASETS / "bundled_kb.jsonl")]
    if not quick and OPEN_SOURCE.is_dir():
        corpora.append(("opensource-av", OPEN_SOURCE, DATASETS / "opensource_av.jsonl"))
    modes = ["hybrid", "bm25", "dense"] if quick else ["hybrid", "bm25", "dense", "naive"]
    for name, corpus, dataset in corpora:
        say(f"retrieval: {name}")
        questions = load_retrieval_questions(dataset)
        result = run_retrieval_eval(
            settings,
            corpus,
            questions,
            5,
            modes,
            index=bundled_index if name == "bundled" else None,
            details=name == "bundled",
            show_progress=False,
            embedder=embedder,
        )
        result["dataset"] = str(dataset.relative_to(REPO))
        if name == "bundled":  # what the assistant could not answer, grouped into content gaps
            say("content gaps")
            report["content_gaps"] = gaps_section(
                settings,
                embedder,
                {q.id: q.question for q in questions},
                [row["id"] for row in result.pop("questions", []) if row["abstained"]],
                result["dataset"],
            )
        report["retrieval"][name] = result
        if not quick:
            report["plots"] += [
                plots.recall_curves(name, result["modes"], out / f"recall-{name}.png").name,
                plots.kind_bars(name, result["modes"], 5, out / f"kinds-{name}.png").name,
                plots.latency_histogram(
                    f"Retrieval latency: {name}",
                    {m: s["latencies_ms"] for m, s in result["modes"].items() if m != "naive"},
                    out / f"latency-{name}.png",
                ).name,
            ]
    say("router")
    flows = load_bundled_flows(settings.paths.flows_dir)
    router = Router(flows, embedder)
    router.warm_up()
    router_report: dict[str, Any] = {}
    for split in ("router", "router_holdout"):
        path = DATASETS / f"{split}.jsonl"
        if path.is_file():
            router_report[split] = evaluate_router(
                router, read_jsonl(path, ("id", "text", "expected"))
            )
    report["router"] = router_report
    if not quick and "router" in router_report:
        items = router_report["router"]["items"]
        labels = sorted({i["expected"] for i in items} | {i["predicted"] for i in items})
        report["plots"].append(
            plots.confusion_matrix(
                labels,
                [(i["expected"], i["predicted"]) for i in items],
                out / "router-confusion.png",
            ).name
        )
    say("dialogue scenarios")
    scenarios = run_scenarios(flows, router, load_scenarios(DATASETS / "scenarios.jsonl"))
    report["dialogue"] = scenarios.to_json()
    say("answer tables")
    report["answers"] = {
        split: evaluate_answers(DATASETS / f"{split}.jsonl", flows)
        for split in ("answers", "answers.holdout")
    }
    if not quick:
        say("conversations over the REST API")
        index = bundled_index or index_dir_for(
            REPO / "knowledge/docs", settings.paths.data_dir / "eval-index"
        )
        played = scenario_settings(settings)  # a database of their own, for the resolution report
        conv, results = run_suite(played, embedder, index, DATASETS / "conversations.yaml")
        report["conversations"] = conv
        say("resolution")
        report["resolution"] = resolution_section(played, embedder, out)
        report["plots"] += report["resolution"]["plots"]
        (out / "conversations.md").write_text(
            "# Conversation transcripts\n\n" + "\n".join(transcript_markdown(r) for r in results)
        )
    say("escalation rules")
    report["escalation"] = escalation_table(settings.paths.accounts_dir)
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str))
    (out / "report.md").write_text(render_markdown(report))
    report["folder"] = str(out)
    return report


def headline(report: dict[str, Any]) -> dict[str, float]:
    """The figures the quality gate and the README quote."""
    figures: dict[str, float] = {}
    for name, result in report["retrieval"].items():
        for mode, summary in result["modes"].items():
            figures[f"{name}_{mode}_recall@5"] = round(summary["overall"]["recall@5"], 4)
            figures[f"{name}_{mode}_mrr@10"] = round(summary["overall"]["mrr@10"], 4)
    for split, r in report.get("router", {}).items():
        figures[f"{split}_accuracy"] = r["accuracy"]
    figures["scenario_pass_rate"] = report["dialogue"]["pass_rate"]
    for split, r in report.get("answers", {}).items():
        figures[f"{split.replace('.', '_')}_accuracy"] = r["accuracy"]["accuracy"]
    if "conversations" in report:
        figures["conversation_pass_rate"] = report["conversations"]["pass_rate"]
    figures["escalation_pass_rate"] = report["escalation"]["pass_rate"]
    if report.get("resolution", {}).get("totals", {}).get("conversations"):
        figures["scenario_containment_rate"] = report["resolution"]["totals"]["containment_rate"]
    return figures


def render_markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Evaluation report {report['date']}",
        "",
        f"Model: {report['model']}; packages: "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items()),
        f"Machine: {report['machine']}",
        "",
    ]
    for name, result in report["retrieval"].items():
        lines += [
            f"## Retrieval: {name}",
            "",
            f"Corpus `{result['corpus']}` ({result['chunks']} chunks), dataset `{result['dataset']}` "
            f"({result['questions_file_count']} questions), abstain threshold {result['abstain_threshold']}.",
            "",
            "| retriever | recall@5 | MRR@10 | nDCG@10 | abstention P | abstention R | p50 ms | p95 ms |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for mode, s in result["modes"].items():
            o, a, lat = s["overall"], s["abstention"], s["latency_ms"]
            lines.append(
                f"| {mode} | {o['recall@5']:.3f} | {o['mrr@10']:.3f} | {o['ndcg@10']:.3f} | "
                f"{a['precision']:.2f} | {a['recall']:.2f} | {lat['p50']:.1f} | {lat['p95']:.1f} |"
            )
        lines += ["", "| kind (hybrid) | n | recall@5 | MRR@10 |", "|---|---|---|---|"]
        for kind, b in result["modes"]["hybrid"]["by_kind"].items():
            lines.append(f"| {kind} | {b['n']} | {b['recall@5']:.3f} | {b['mrr@10']:.3f} |")
        lines.append("")
        for png in (f"recall-{name}.png", f"kinds-{name}.png", f"latency-{name}.png"):
            if png in report["plots"]:
                lines.append(f"![{png}]({png})")
        lines.append("")
    lines += ["## Router", ""]
    for split, r in report.get("router", {}).items():
        wrong = [i for i in r["items"] if i["expected"] != i["predicted"]]
        lines.append(
            f"- {split}: top-1 accuracy {r['accuracy']:.1%} on {len(r['items'])} phrasings; "
            f"misses: "
            + (
                ", ".join(f"{i['id']} ({i['expected']} -> {i['predicted']})" for i in wrong[:10])
                or "none"
            )
        )
    if "router-confusion.png" in report["plots"]:
        lines += ["", "![router confusion](router-confusion.png)"]
    d = report["dialogue"]
    lines += [
        "",
        "## Dialogue scenarios",
        "",
        f"{d['passed']}/{d['total']} passed ({d['pass_rate']:.1%}); mean turns to an outcome {d['mean_turns']:.2f}.",
        "",
        "## Answer understanding",
        "",
        "| table | replies | accuracy | yes/no | choice | number | not understood (clear replies) |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {split} | {a['rows']} | {a['accuracy']['accuracy']:.1%} | "
            + " | ".join(
                f"{a['by_type'].get(k, {}).get('accuracy', 0):.1%}"
                for k in ("yes_no", "choice", "number")
            )
            + f" | {a['not_understood_on_clear_replies']} |"
            for split, a in report.get("answers", {}).items()
        ],
        "",
        "## Conversations over the REST API",
        "",
        *(
            [
                f"{report['conversations']['passed']}/{report['conversations']['scenarios']} "
                f"scenarios passed ({report['conversations']['pass_rate']:.1%}); transcripts in "
                "conversations.md. Failures: "
                + (
                    "; ".join(
                        f"{f['id']} ({f['problems'][0]})" for f in report["conversations"]["failed"]
                    )
                    or "none"
                )
            ]
            if "conversations" in report
            else ["Not run (quick)."]
        ),
        "",
        *render_resolution(report),
        "## Escalation rules",
        "",
        f"{report['escalation']['passed']}/{report['escalation']['total']} cases as expected.",
        "",
        "| case | result | first reason |",
        "|---|---|---|",
    ]
    for case in report["escalation"]["cases"]:
        first = case["reasons"][0] if case["reasons"] else ""
        lines.append(
            f"| {case['id']}: {case['note']} | {'pass' if case['passed'] else 'FAIL'} | {first} |"
        )
    return "\n".join(lines) + "\n"
