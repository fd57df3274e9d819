"""The segment report: one self-contained HTML file (`custseg report`, and the end of every
`custseg build`) with the plots a marketer looks at first. Plotly's JavaScript is embedded
once in the file, so it opens offline, in an air-gapped office, from a mail attachment.

Sections: headline numbers; the RFM grid (recency x frequency: customers and revenue);
RFM segment sizes month by month and last month's transitions; declared segments' sizes
over the builds; segment overlap (Jaccard); CLV distribution and value tier x churn risk;
the lifecycle funnel; campaigns against their holdout; the quality gates' results (the
Great Expectations and dbt checks, folded in: their own Data Docs load assets from CDNs)
and what absent optional tables switched off."""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

PALETTE = "Blues"


@dataclass
class Chart:
    chart_id: str
    title: str
    caption: str
    figure: object | None  # a plotly Figure, or None when there is nothing to plot
    empty_reason: str = ""


@dataclass
class Headline:
    as_of_date: dt.date | None
    customers: int
    buyers: int
    revenue: float
    currency: str
    largest_segments: list[tuple[str, str, int, int | None]] = field(default_factory=list)
    # (segment_id, name, members, change since the previous build or None)


def _rows(connection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


def headline(connection, currency: str = "") -> Headline:
    """The numbers a person wants first: customers, buyers, revenue, and the five largest
    declared segments with their change since the previous build date."""
    (as_of, customers, buyers) = _rows(
        connection,
        "select max(as_of_date), count(*), count(*) filter (where has_purchased)"
        " from marts.dim_customers",
    )[0]
    (revenue,) = _rows(
        connection,
        "select coalesce(sum(order_total_reporting), 0) from marts.fct_orders"
        " where is_valid_purchase",
    )[0]
    largest = _rows(
        connection,
        """
        with dated as (
            select segment_id, as_of_date, member_count,
                dense_rank() over (order by as_of_date desc) as build_rank
            from marts.segment_sizes
        )
        select latest.segment_id, segments.segment_name, latest.member_count,
            latest.member_count - previous.member_count
        from dated as latest
        inner join marts.dim_segments as segments on latest.segment_id = segments.segment_id
        left join dated as previous
            on latest.segment_id = previous.segment_id and previous.build_rank = 2
        where latest.build_rank = 1
        order by latest.member_count desc, latest.segment_id
        limit 5
        """,
    )
    return Headline(as_of, customers, buyers, float(revenue), currency, largest)


def print_headline(numbers: Headline, paths: dict[str, Path | str]) -> None:
    """The end of the build summary: business numbers, then where to look."""
    print(f"\nAs of {numbers.as_of_date}:")
    print(f"  customers {numbers.customers:,}, buyers {numbers.buyers:,}, "
          f"revenue {numbers.revenue:,.2f} {numbers.currency}".rstrip())  # fmt: skip
    if numbers.largest_segments:
        print("  largest segments (members, change since the previous build):")
        for segment_id, _name, members, change in numbers.largest_segments:
            delta = "no earlier build" if change is None else f"{change:+,}"
            print(f"    {segment_id:<32}{members:>9,}  {delta}")
    for label, path in paths.items():
        print(f"  {label}: {path}")


def _heatmap(x, y, z, text, trace: dict | None = None, **layout):
    import plotly.graph_objects as go

    figure = go.Figure(
        go.Heatmap(x=x, y=y, z=z, text=text, texttemplate="%{text}", colorscale=PALETTE,
                   hovertemplate="%{y} / %{x}<br>%{text}<extra></extra>", **(trace or {}))
    )  # fmt: skip
    figure.update_layout(**layout)
    return figure


def _rfm_grid(connection, currency: str) -> Chart:
    rows = _rows(
        connection,
        "select r_score, f_score, count(*), sum(monetary) from marts.customer_rfm group by 1, 2",
    )
    title = "RFM grid"
    caption = ("Buyers by recency score (rows, 5 = most recent) and frequency score "
               f"(columns): customers and revenue ({currency}).")  # fmt: skip
    if not rows:
        return Chart("rfm_grid", title, caption, None, "no buyers yet")
    cells = {(r, f): (n, m) for r, f, n, m in rows}
    scores = [1, 2, 3, 4, 5]
    z = [[cells.get((r, f), (0, 0))[0] for f in scores] for r in scores]
    text = [[f"{cells.get((r, f), (0, 0))[0]:,}<br>{float(cells.get((r, f), (0, 0))[1] or 0):,.0f}"
             for f in scores] for r in scores]  # fmt: skip
    figure = _heatmap([f"F{f}" for f in scores], [f"R{r}" for r in scores], z, text,
                      xaxis_title="frequency score", yaxis_title="recency score")  # fmt: skip
    return Chart("rfm_grid", title, caption, figure)


def _rfm_segments_monthly(connection) -> list[Chart]:
    import plotly.graph_objects as go

    rows = _rows(
        connection,
        "select month_end_date, rfm_segment, count(*) from marts.customer_rfm_monthly"
        " group by 1, 2 order by 1, 2",
    )
    sizes = Chart("rfm_segment_sizes", "RFM segments month by month",
                  "Buyers in each named RFM segment at every month end.", None,
                  "no monthly RFM history")  # fmt: skip
    if rows:
        figure = go.Figure()
        for segment in sorted({segment for _, segment, _ in rows}):
            points = [(month, count) for month, name, count in rows if name == segment]
            figure.add_trace(go.Bar(x=[p[0] for p in points], y=[p[1] for p in points],
                                    name=segment))  # fmt: skip
        figure.update_layout(barmode="stack", yaxis_title="buyers")
        sizes.figure = figure
    moves = _rows(
        connection,
        """
        select from_rfm_segment, to_rfm_segment, customer_count, month_end_date
        from marts.customer_rfm_segment_transitions
        where month_end_date = (select max(month_end_date)
                                from marts.customer_rfm_segment_transitions)
        """,
    )
    month = moves[0][3] if moves else None
    caption = (f"Buyers moving from one RFM segment (rows) to another (columns) in the "
               f"month ending {month}.")  # fmt: skip
    transitions = Chart("rfm_transitions", "RFM transitions, last month", caption, None,
                        "no month-to-month history")  # fmt: skip
    if moves:
        names = sorted({m[0] for m in moves} | {m[1] for m in moves})
        counts = {(a, b): n for a, b, n, _ in moves}
        z = [[counts.get((a, b), 0) for b in names] for a in names]
        transitions.figure = _heatmap(names, names, z, [[f"{v:,}" if v else "" for v in row]
                                                        for row in z],
                                      xaxis_title="to", yaxis_title="from")  # fmt: skip
    return [sizes, transitions]


def _segment_sizes(connection) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        connection,
        """
        with latest as (
            select segment_id from marts.segment_sizes
            where as_of_date = (select max(as_of_date) from marts.segment_sizes)
            order by member_count desc, segment_id limit 12
        )
        select sizes.segment_id, sizes.as_of_date, sizes.member_count
        from marts.segment_sizes as sizes
        inner join latest on sizes.segment_id = latest.segment_id
        order by 1, 2
        """,
    )
    chart = Chart("segment_sizes", "Segment sizes over time",
                  "Members of the twelve largest declared segments at every build date.",
                  None, "no segment sizes")  # fmt: skip
    if rows:
        figure = go.Figure()
        for segment in sorted({r[0] for r in rows}):
            points = [(d, n) for s, d, n in rows if s == segment]
            figure.add_trace(go.Scatter(x=[p[0].isoformat() for p in points],
                                        y=[p[1] for p in points], mode="lines+markers",
                                        name=segment))  # fmt: skip
        # build dates as categories: evenly spaced, readable with one or two builds
        figure.update_layout(yaxis_title="members", xaxis_type="category",
                             xaxis_title="build date (as_of_date)")  # fmt: skip
        chart.figure = figure
    return chart


def _overlaps(connection) -> Chart:
    rows = _rows(
        connection,
        """
        select segment_a_id, segment_b_id, cast(jaccard_index as double)
        from marts.segment_overlaps
        where as_of_date = (select max(as_of_date) from marts.segment_overlaps)
        """,
    )
    chart = Chart("segment_overlap", "Segment overlap",
                  "Jaccard index of each pair of declared segments (shared members over "
                  "members of either): high values mark segments that target the same people.",
                  None, "fewer than two segments with members")  # fmt: skip
    if rows:
        names = sorted({r[0] for r in rows} | {r[1] for r in rows})
        index = {(a, b): j for a, b, j in rows} | {(b, a): j for a, b, j in rows}
        z = [[1.0 if a == b else index.get((a, b), 0.0) for b in names] for a in names]
        text = [[f"{v:.2f}" for v in row] for row in z]
        chart.figure = _heatmap(names, names, z, text, trace={"zmin": 0, "zmax": 1},
                                height=max(500, 18 * len(names)))  # fmt: skip
    return chart


def _value(connection, currency: str) -> list[Chart]:
    import plotly.graph_objects as go

    values = [v for (v,) in _rows(
        connection,
        "select predicted_clv_12m from marts.customer_value where predicted_clv_12m is not null",
    )]  # fmt: skip
    distribution = Chart("clv_distribution", "Predicted CLV, 12 months",
                         f"Buyers by predicted value of the next 12 months ({currency}), "
                         "MBG/NBD + Gamma-Gamma.", None,
                         "no CLV fit (too few buyers, or the fit did not converge)")  # fmt: skip
    if values:
        figure = go.Figure(go.Histogram(x=values, nbinsx=40))
        figure.update_layout(xaxis_title=f"predicted CLV 12 months ({currency})",
                             yaxis_title="buyers")  # fmt: skip
        distribution.figure = figure
    rows = _rows(
        connection,
        "select value_tier, churn_risk_band, count(*) from marts.customer_value"
        " where value_tier is not null and churn_risk_band is not null group by 1, 2",
    )
    tiers = Chart("value_tiers", "Value tier and churn risk",
                  "Buyers by value tier (rows) and churn-risk band (columns).", None,
                  "no value tiers")  # fmt: skip
    if rows:
        tier_names = sorted({r[0] for r in rows})
        risk_names = sorted({r[1] for r in rows})
        counts = {(t, r): n for t, r, n in rows}
        z = [[counts.get((t, r), 0) for r in risk_names] for t in tier_names]
        tiers.figure = _heatmap(risk_names, tier_names, z, [[f"{v:,}" for v in row] for row in z],
                                xaxis_title="churn risk", yaxis_title="value tier")  # fmt: skip
    return [distribution, tiers]


def _funnel(connection) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        connection,
        "select funnel_stage, min(funnel_stage_rank), count(*) from marts.customer_lead_scores"
        " group by 1 order by 2",
    )
    chart = Chart("funnel", "Lifecycle funnel",
                  "Customers at each stage of the sales funnel (lead scores and purchases).",
                  None, "no customers")  # fmt: skip
    if rows:
        chart.figure = go.Figure(go.Funnel(y=[r[0] for r in rows], x=[r[2] for r in rows]))
    return chart


def _campaigns(connection) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        connection,
        """
        select campaign_name, treated_conversion_rate, holdout_conversion_rate,
            cost_per_incremental_conversion
        from marts.segment_performance
        where treated_conversion_rate is not null
        order by started_date, campaign_id
        """,
    )
    chart = Chart("campaigns", "Campaigns against their holdout",
                  "Conversion rate of the targeted members and of the held-out members of "
                  "each campaign's segment; the gap is the uplift the campaign caused.", None,
                  "no campaigns (add a campaigns table and e-mail events)")  # fmt: skip
    if rows:
        names = [r[0] for r in rows]
        figure = go.Figure([
            go.Bar(x=names, y=[r[1] for r in rows], name="targeted"),
            go.Bar(x=names, y=[r[2] for r in rows], name="holdout"),
        ])  # fmt: skip
        figure.update_layout(barmode="group", yaxis_title="conversion rate",
                             yaxis_tickformat=".0%")  # fmt: skip
        chart.figure = figure
    return chart


def charts(connection, currency: str) -> list[Chart]:
    return [
        _rfm_grid(connection, currency),
        *_rfm_segments_monthly(connection),
        _segment_sizes(connection),
        _overlaps(connection),
        *_value(connection, currency),
        _funnel(connection),
        _campaigns(connection),
    ]


def _quality_section(quality_report: Path | None, switched_off: list[tuple]) -> str:
    parts = ["<section id='quality'><h2>Quality gates</h2>"]
    if quality_report and quality_report.exists():
        report = json.loads(quality_report.read_text(encoding="utf-8"))
        counts = ", ".join(f"{n:,} {status}" for status, n in sorted(report["counts"].items()))
        parts.append(f"<p class='verdict'>QUALITY GATES {html.escape(report['verdict'])}: "
                     f"{html.escape(counts)}.</p>")  # fmt: skip
        rows = [r for r in report["results"] if r["status"] != "pass"]
        if rows:
            parts.append("<table><tr><th>gate</th><th>table</th><th>check</th><th>status</th>"
                         "<th>failing rows</th><th>why</th></tr>")  # fmt: skip
            for r in rows:
                cells = (r["gate"], r["table"], r["check"], r["status"],
                         "" if r.get("failing_rows") is None else f"{r['failing_rows']:,}",
                         r.get("message") or "")  # fmt: skip
                parts.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
                             + "</tr>")  # fmt: skip
            parts.append("</table>")
    else:
        parts.append("<p>No quality report: run <code>custseg build</code>.</p>")
    if switched_off:
        parts.append("<h3>Switched off: optional tables without valid rows</h3><ul>")
        for table, why, feeds in switched_off:
            parts.append(f"<li><b>{html.escape(table)}</b> ({html.escape(why)}): "
                         f"{html.escape(feeds)}</li>")  # fmt: skip
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0; } .as-of { color: #666; margin-top: 0.2rem; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.8rem 1.2rem; min-width: 10rem; }
.card .value { font-size: 1.6rem; font-weight: 600; }
.caption { color: #555; } .empty { color: #a00; }
table { border-collapse: collapse; font-size: 0.85rem; }
td, th { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; }
"""


def render(connection, *, currency: str, quality_report: Path | None,
           switched_off: list[tuple]) -> tuple[str, list[Chart]]:  # fmt: skip
    """The report's HTML and its charts."""
    import plotly.io as pio

    numbers = headline(connection, currency)
    made = charts(connection, currency)
    cards = [("customers", f"{numbers.customers:,}"), ("buyers", f"{numbers.buyers:,}"),
             (f"revenue ({currency})", f"{numbers.revenue:,.0f}")]  # fmt: skip
    body = [f"<h1>Customer segments</h1><p class='as-of'>as of {numbers.as_of_date}</p>",
            "<div class='cards'>"]  # fmt: skip
    body += [f"<div class='card'><div class='value'>{v}</div>{html.escape(k)}</div>"
             for k, v in cards]  # fmt: skip
    body.append("</div>")
    if numbers.largest_segments:
        body.append("<h2>Largest segments</h2><table><tr><th>segment</th><th>members</th>"
                    "<th>change since the previous build</th></tr>")  # fmt: skip
        for segment_id, name, members, change in numbers.largest_segments:
            delta = "no earlier build" if change is None else f"{change:+,}"
            body.append(f"<tr><td>{html.escape(name or segment_id)}</td><td>{members:,}</td>"
                        f"<td>{delta}</td></tr>")  # fmt: skip
        body.append("</table>")
    script_included = False
    for chart in made:
        body.append(f"<section><h2>{html.escape(chart.title)}</h2>"
                    f"<p class='caption'>{html.escape(chart.caption)}</p>")  # fmt: skip
        if chart.figure is None:
            body.append(f"<p class='empty'>Nothing to plot: {html.escape(chart.empty_reason)}.</p>")
        else:
            chart.figure.update_layout(margin={"t": 30}, template="plotly_white")
            body.append(pio.to_html(
                chart.figure, full_html=False, include_plotlyjs=not script_included,
                div_id=chart.chart_id, config={"displaylogo": False, "responsive": True},
            ))  # fmt: skip
            script_included = True
        body.append("</section>")
    body.append(_quality_section(quality_report, switched_off))
    head = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<link rel='icon' href='data:,'>"  # no favicon request
            f"<title>Customer segments</title><style>{STYLE}</style></head><body>")  # fmt: skip
    page = head + "\n".join(body) + "</body></html>"
    return page, made


def write_report(warehouse_file: Path, out: Path, *, currency: str,
                 quality_report: Path | None = None) -> tuple[Path, list[Chart]]:  # fmt: skip
    """Write the report for the warehouse (opened read-only) to `out`."""
    from .report import switched_off

    with duckdb.connect(str(warehouse_file), read_only=True) as connection:
        reconciliation = _rows(
            connection,
            # one row per table, over its sources (landing files, tool exports)
            "select table_name, sum(raw_row_count), sum(staged_row_count)"
            " from staging.stg_raw__reconciliation group by table_name",
        )
        page, made = render(connection, currency=currency, quality_report=quality_report,
                            switched_off=switched_off(reconciliation))  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out, made
