"""The segment report (issue 12, point 4) in a real browser: Debian's chromium, headless,
driven by Playwright, reading the report of the messy warehouse from a server on
127.0.0.1. Every chart renders with data marks, shows the warehouse's numbers, no console
error occurs and no request leaves 127.0.0.1. One screenshot per run is kept in the
session's dbt target folder (never the repository's target/).

The build's own summary (business numbers and paths, the verdict last) is checked on the
messy build's output."""

from __future__ import annotations

import functools
import http.server
import json
import re
import tempfile
import threading
from pathlib import Path

import pytest

from custseg import segment_report, warehouse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
CHARTS = (
    "rfm_grid", "rfm_segment_sizes", "rfm_transitions", "segment_sizes", "segment_overlap",
    "clv_distribution", "value_tiers", "funnel", "campaigns",
)  # fmt: skip


@pytest.fixture(scope="module")
def report(messy_build, tmp_path_factory) -> dict:
    """The report of the messy warehouse, served on 127.0.0.1 and opened in chromium: what
    the browser saw (per chart: SVGs, traces, data marks, the plotted data), its console
    errors and every request URL."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install -y chromium"
    folder = tmp_path_factory.mktemp("segment_report")
    quality = folder / "quality.json"
    quality.write_text(json.dumps(messy_build.report), encoding="utf-8")
    path, made = segment_report.write_report(
        messy_build.path, folder / "segment_report.html", currency="EUR", quality_report=quality
    )  # fmt: skip
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    seen: dict = {"requests": [], "errors": [], "made": made, "html": path}
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
            browser = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                viewport={"width": 1200, "height": 900},
            )  # fmt: skip
            page = browser.new_page()
            page.on("request", lambda request: seen["requests"].append(request.url))
            page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else 0)
            page.on("pageerror", lambda error: seen["errors"].append(str(error)))
            page.goto(origin + path.name, wait_until="load")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.js-plotly-plot')]"
                ".every(d => d._fullLayout !== undefined)"
            )
            seen["charts"] = page.evaluate(
                """() => Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')]
                    .map(d => [d.id, {
                        svgs: d.querySelectorAll('svg.main-svg').length,
                        traces: d.querySelectorAll('g.trace, g.hm').length,
                        marks: d.querySelectorAll('g.trace path, g.hm image').length,
                        data: d.data.map(t => ({type: t.type, x: t.x, y: t.y, z: t.z})),
                    }]))"""
            )
            seen["text"] = page.inner_text("body")
            shot = warehouse.target_dir() / "segment_report.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            seen["screenshot"] = shot
            browser.close()
    finally:
        server.shutdown()
    seen["origin"] = origin
    return seen


def test_every_chart_renders_with_data_marks(report):
    assert [chart.chart_id for chart in report["made"]] == list(CHARTS)
    assert all(chart.figure is not None for chart in report["made"]), [
        (c.chart_id, c.empty_reason) for c in report["made"] if c.figure is None
    ]
    charts = report["charts"]
    assert sorted(charts) == sorted(CHARTS)
    for chart_id, seen in charts.items():
        assert seen["svgs"] >= 1 and seen["traces"] >= 1 and seen["marks"] >= 1, (chart_id, seen)


def test_no_console_error_and_no_request_leaves_127_0_0_1(report):
    assert report["errors"] == []
    assert report["requests"] and all(
        url.startswith(report["origin"]) for url in report["requests"]
    )
    assert len(report["requests"]) == 1  # the page; plotly.js is inside it
    assert report["screenshot"].stat().st_size > 50_000


def test_the_charts_show_the_warehouses_numbers(report, messy_build):
    """What the browser plotted, against SQL on the warehouse."""
    charts = report["charts"]
    (grid,) = charts["rfm_grid"]["data"]
    cells = {(r, f): n for r, f, n in messy_build.query(
        "select r_score, f_score, count(*) from marts.customer_rfm group by 1, 2")}  # fmt: skip
    plotted = {(int(y[1]), int(x[1])): grid["z"][i][j]
               for i, y in enumerate(grid["y"]) for j, x in enumerate(grid["x"])}  # fmt: skip
    assert {k: v for k, v in plotted.items() if v} == cells
    (funnel,) = charts["funnel"]["data"]
    stages = dict(messy_build.query(
        "select funnel_stage, count(*) from marts.customer_lead_scores group by 1"))  # fmt: skip
    assert dict(zip(funnel["y"], funnel["x"], strict=True)) == stages
    targeted, holdout = charts["campaigns"]["data"]
    rates = messy_build.query(
        "select treated_conversion_rate, holdout_conversion_rate from marts.segment_performance"
        " where treated_conversion_rate is not null order by started_date, campaign_id"
    )
    assert targeted["y"] == pytest.approx([r[0] for r in rates])
    assert holdout["y"] == pytest.approx([r[1] for r in rates], nan_ok=True)
    (histogram,) = charts["clv_distribution"]["data"]
    (count,) = messy_build.query(
        "select count(predicted_clv_12m) from marts.customer_value")[0]  # fmt: skip
    assert len(histogram["x"]) == count > 0


def test_the_report_shows_the_headline_and_the_quality_verdict(report, messy_build):
    ((customers, buyers),) = messy_build.query(
        "select count(*), count(*) filter (where has_purchased) from marts.dim_customers"
    )
    text = report["text"]
    assert f"{customers:,}\ncustomers" in text and f"{buyers:,}\nbuyers" in text
    assert f"QUALITY GATES {messy_build.report['verdict']}" in text


def test_the_build_summary_ends_with_business_numbers_paths_and_the_verdict(messy_build):
    lines = [line for line in messy_build.stdout.splitlines() if line.strip()]
    ((customers, buyers),) = messy_build.query(
        "select count(*), count(*) filter (where has_purchased) from marts.dim_customers"
    )
    (largest,) = messy_build.query(
        "select segment_id from marts.segment_sizes order by member_count desc, segment_id limit 1"
    )[0]
    start = next(i for i, line in enumerate(lines) if line.startswith("As of "))
    tail = "\n".join(lines[start:])
    assert f"customers {customers:,}, buyers {buyers:,}, revenue " in tail
    assert largest in tail
    for label in ("segment report:", "quality report:", "served marts:", "dbt docs:"):
        assert label in tail
    assert lines[-1].endswith("QUALITY GATES PASSED.")
    report_path = Path(tail.split("segment report: ")[1].splitlines()[0])
    assert report_path.name == "segment_report.html"


def test_the_report_is_one_file_that_needs_no_network(report):
    """plotly.js inside, once; no script, style sheet or font loaded from elsewhere."""
    text = report["html"].read_text(encoding="utf-8")
    assert text.count("plotly.js v") >= 1 and report["html"].stat().st_size < 10 * 2**20
    assert "<script src=" not in text
    assert re.findall(r"<link [^>]*href='([^']*)'", text) == ["data:,"]


def test_custseg_report_labels_amounts_in_the_currency_the_warehouse_was_built_in(tmp_path):
    """`custseg report` without --var reads the last build's vars (run_results.json)."""
    from conftest import environment
    from custseg import cli

    (tmp_path / "run_results.json").write_text(
        json.dumps({"args": {"vars": {"reporting_currency": "CHF"}}}), encoding="utf-8"
    )
    with environment(DBT_TARGET_PATH=str(tmp_path)):
        assert cli._last_build_vars() == {"reporting_currency": "CHF"}
    with environment(DBT_TARGET_PATH=str(tmp_path / "none")):
        assert cli._last_build_vars() == {}
