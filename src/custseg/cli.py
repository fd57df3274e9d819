"""`custseg`: generate data, build the warehouse, and report on it."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import os
import sys
import time
from pathlib import Path
from typing import Any

from . import warehouse


class UsageError(ValueError):
    """A command line that cannot mean what it says: printed as one line, exit status 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


def _var_pair(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` of ``--var``: the value parsed as a YAML scalar or list, as dbt parses
    ``--vars`` (``0.1`` a number, ``true`` a boolean, ``[a, b]`` a list). Text that YAML
    cannot read as a value (``,``, ``|``, a tab, ``a: b``) stays the text typed, and so
    does a date (dbt's vars are text in SQL)."""
    import yaml

    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return key, value
    if parsed is None and value.strip() not in ("null", "Null", "NULL", "~"):
        return key, value
    if parsed == "" or isinstance(parsed, dict | dt.date | dt.datetime):
        return key, value.strip() if isinstance(parsed, dt.date | dt.datetime) else value
    return key, parsed


def declared_vars(project: Path | None = None) -> dict[str, Any]:
    """The project's vars and their defaults, as declared in dbt_project.yml."""
    import yaml

    path = (project or warehouse.project_dir()) / "dbt_project.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    # a mapping under the project's own name scopes vars to it (dbt's syntax); any other
    # mapping is a var of its own (qualtrics_questions): the project depends on no package
    return {
        key: value
        for key, value in (document.get("vars") or {}).items()
        if not (isinstance(value, dict) and key == document.get("name"))
    }


def _var_options(pairs: list[tuple[str, Any]] | None) -> dict[str, Any]:
    """``--var`` pairs as a dict: every key declared in dbt_project.yml (else an error that
    names the nearest declared var), a key given twice only with one value."""
    declared = declared_vars()
    variables: dict[str, Any] = {}
    for key, value in pairs or []:
        if key not in declared:
            nearest = difflib.get_close_matches(key, list(declared), n=1, cutoff=0.5)
            hint = f"; did you mean {nearest[0]}?" if nearest else ""
            raise UsageError(
                f"--var {key}: no such var in dbt_project.yml{hint} "
                f"(declared: {', '.join(sorted(declared))})"
            )
        if key in variables and variables[key] != value:
            raise UsageError(f"--var {key} given twice: {variables[key]!r} and {value!r}")
        variables[key] = value
    return variables


def _build_vars(args: argparse.Namespace) -> dict:
    """The dbt vars of a command: ``--var`` pairs and the explicit options (--raw-path,
    --raw-format, --as-of). An option and a ``--var`` of the same var must agree."""
    variables = _var_options(getattr(args, "var", None))
    if "raw_path" in variables:  # a path relative to where the command runs, as --raw-path
        variables["raw_path"] = str(Path(str(variables["raw_path"])).resolve())
    explicit = {
        "raw_path": str(Path(args.raw_path).resolve()) if args.raw_path else None,
        "raw_format": args.raw_format,
        "as_of_date": args.as_of.isoformat() if args.as_of else None,
    }
    options = {"raw_path": "--raw-path", "raw_format": "--raw-format", "as_of_date": "--as-of"}
    for key, value in explicit.items():
        if value is None:
            continue
        if key in variables and str(variables[key]) != value:
            raise UsageError(
                f"{options[key]} {value} and --var {key}={variables[key]} disagree: give one"
            )
        variables[key] = value
    return variables


def _configured(variables: dict, key: str) -> Any:
    """A var's value for this command: given on the command line, else dbt_project.yml's."""
    return variables[key] if key in variables else declared_vars().get(key)


def cmd_generate(args: argparse.Namespace) -> int:
    from .generate import generate
    from .progress import Progress

    if args.as_tools:
        return _generate_as_tools(args)
    started = time.perf_counter()
    Progress("generate").say(f"generating {args.customers:,} customers into {args.out}")
    manifest = generate(
        Path(args.out),
        customers=args.customers,
        seed=args.seed,
        fmt=args.format,
        as_of=args.as_of or dt.datetime.now(dt.UTC).date(),
        messy=args.messy,
    )
    rows = sum(table["rows_written"] for table in manifest["tables"].values())
    print(
        f"Wrote {len(manifest['tables'])} tables, {rows:,} rows, to {args.out} "
        f"in {time.perf_counter() - started:.1f} s"
        + (" (messy: see _manifest.json for the injected defects)" if args.messy else "")
    )
    if args.deltas:
        from .generate.deltas import split_into_deltas

        as_of = args.as_of or dt.datetime.now(dt.UTC).date()
        split_into_deltas(Path(args.out), as_of, args.deltas)
        print(
            f"Split each table into <table>/full.{args.format} and daily deltas for the "
            f"{args.deltas} days up to {as_of} (late rows, new versions of old orders and "
            "customers): build day by day with --as-of."
        )
    return 0


def _generate_as_tools(args: argparse.Namespace) -> int:
    """``generate --as-tools``: the data as HubSpot, Shopify, Mailchimp and Qualtrics export
    it (custseg.generate.tools), written clean: no --messy, no --deltas, Parquet beside."""
    from .generate.tools import ToolsOutputError, describe, generate_tools
    from .progress import Progress

    for given, option in ((args.messy, "--messy"), (args.deltas, "--deltas"),
                          (args.format != "parquet", f"--format {args.format}")):  # fmt: skip
        if given:
            raise UsageError(
                f"--as-tools cannot be combined with {option}: the tool exports are written "
                "clean and whole, and the tables no tool holds as Parquet"
            )
    started = time.perf_counter()
    Progress("generate").say(
        f"generating {args.customers:,} customers as tool exports into {args.out}"
    )
    try:
        manifest = generate_tools(
            Path(args.out),
            customers=args.customers,
            seed=args.seed,
            as_of=args.as_of or dt.datetime.now(dt.UTC).date(),
        )
    except ToolsOutputError as error:
        raise UsageError(str(error)) from None
    for line in describe(manifest):
        print(line)
    files = len(manifest["files"]) + len(manifest["contract_files"])
    rows = sum(item["rows"] for item in manifest["files"].values()) + sum(
        item["rows"] for item in manifest["contract_files"].values()
    )
    print(
        f"Wrote {files} files, {rows:,} rows, to {args.out} in "
        f"{time.perf_counter() - started:.1f} s (counts, mapping rules and the contract rows "
        "no export carries: _tools_manifest.json)"
    )
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Gate 1 on the landing files, dbt build (gate 2), gate 3 on the marts, the report."""
    started = time.perf_counter()
    variables = _build_vars(args)
    from .progress import Progress
    from .quality.report import print_report, quality_dir, run_report, write_report

    progress = Progress("build")

    project = warehouse.project_dir()
    if args.target in (None, "dev"):  # the report shows this build's results only
        for stale in ("raw_gate.json", "mart_gate.json"):
            (quality_dir(project) / stale).unlink(missing_ok=True)
        (warehouse.target_dir(project) / "run_results.json").unlink(missing_ok=True)
        try:
            warehouse.check_not_locked()
        except warehouse.WarehouseLocked as error:
            print(f"custseg: {error}", file=sys.stderr)
            print()
            run_report(project)
            return 1
    if not args.skip_raw_gate and _raw_gate(variables, progress) != 0:
        print("\nThe landing files failed gate 1; dbt did not run.", file=sys.stderr)
        print()
        run_report(project)
        return 1
    dbt_args = ["build"]
    if args.select:
        dbt_args += ["--select", *args.select]
    if args.exclude:
        dbt_args += ["--exclude", *args.exclude]
    if args.full_refresh:
        dbt_args.append("--full-refresh")
    with progress.dbt():
        result = warehouse.run_dbt(dbt_args, variables, target=args.target)
    elapsed = time.perf_counter() - started
    if not result.success:
        print(f"\ndbt build failed after {elapsed:.0f} s:", file=sys.stderr)
        for line in _failure_lines(result):
            print(f"  - {line}", file=sys.stderr)
    else:
        print(f"\ndbt build succeeded in {elapsed:.0f} s.")
    if args.target not in (None, "dev"):
        return 0 if result.success else 1
    status = 0 if result.success else 1
    if result.success:
        from .report import print_summary

        print_summary(warehouse.warehouse_path())
        with progress.stage("gate 3: marts"):
            status = max(status, _mart_gate(variables))
    print()
    report = write_report(project)
    if not result.success:
        return max(status, print_report(report))
    with progress.stage("publish for BI tools"):
        _publish(published=status == 0 and report.passed)
    table, _, verdict_line = report.text.rpartition("\n")
    print(table)
    with progress.stage("segment report"):
        _segment_report(variables, headline=True)
    print(verdict_line)  # the last line: the exit code follows it
    return max(status, 0 if report.passed else 1)


def _last_build_vars() -> dict:
    """The --vars of the last dbt invocation (run_results.json), so that `custseg report`
    labels amounts in the currency the warehouse was built in."""
    import json

    path = warehouse.target_dir() / "run_results.json"
    try:
        return dict(json.loads(path.read_text(encoding="utf-8"))["args"].get("vars") or {})
    except (OSError, ValueError, KeyError):
        return {}


def _segment_report(variables: dict | None = None, headline: bool = False) -> Path:
    """Write the HTML segment report; with `headline`, print the business numbers and the
    paths of what to open next."""
    from . import segment_report, serving
    from .quality.report import quality_dir

    project = warehouse.project_dir()
    currency = str(_configured({**_last_build_vars(), **(variables or {})}, "reporting_currency"))
    out, _ = segment_report.write_report(
        warehouse.warehouse_path(),
        warehouse.target_dir(project) / "segment_report.html",
        currency=currency,
        quality_report=quality_dir(project) / "report.json",
    )
    if headline:
        import duckdb

        with duckdb.connect(str(warehouse.warehouse_path()), read_only=True) as connection:
            numbers = segment_report.headline(connection, currency)
        docs = warehouse.target_dir(project) / "static_index.html"
        segment_report.print_headline(
            numbers,
            {
                "segment report": out,
                "quality report": quality_dir(project) / "report.json",
                "served marts": serving.serving_dir() / "marts.duckdb",
                "dbt docs": docs if docs.exists() else "run `custseg docs` to generate them",
            },
        )
        print()
    return out


def _publish(published: bool = True) -> None:
    """Publish the warehouse's marts and restricted schemas to the serving files BI tools
    read, or say why the previous ones stay."""
    from . import serving

    directory = serving.serving_dir()
    if not published:
        print(
            "Not published: the quality gates did not pass, so BI tools keep reading the "
            f"last good build in {directory}.\n"
        )
        return
    for item in serving.publish(warehouse.warehouse_path(), directory):
        print(
            f"Published {item.path} for BI tools ({item.tables} relations, {item.rows:,} rows, "
            f"{item.seconds:.1f} s; open it read-only)."
        )
    print()


def _failure_lines(result: warehouse.DbtResult) -> list[str]:
    """dbt's failures, a held DuckDB lock as the one line that names its holder."""
    lines = []
    for line in result.failures():
        if "Could not set lock on file" in line:
            line = warehouse.lock_message(warehouse.warehouse_path(), line)
        if line not in lines:
            lines.append(line)
    return lines


def _raw_gate(variables: dict, progress=None) -> int:
    from .quality import settings
    from .quality.raw_gate import run_raw_gate
    from .quality.report import quality_dir

    project = warehouse.project_dir()
    started = time.perf_counter()
    stage = progress.stage("gate 1: raw files") if progress else contextlib.nullcontext()
    with stage:
        status = run_raw_gate(
            warehouse.raw_path(variables),
            warehouse.run_var(variables, "raw_format"),
            json_path=quality_dir(project) / "raw_gate.json",
            max_bad_ratio=float(settings(project, variables)["max_quarantine_ratio"]),
            docs_root=quality_dir(project) / "gx",
            csv_delimiter=str(_configured(variables, "raw_csv_delimiter") or "auto"),
            as_of=warehouse.run_var(variables, "as_of_date") or None,
        )
    print(f"Gate 1 (raw files) took {time.perf_counter() - started:.1f} s.")
    return status


def _mart_gate(variables: dict | None = None) -> int:
    from .quality import gate_passed
    from .quality.mart_gate import validate_marts
    from .quality.report import quality_dir, render, write_results

    project = warehouse.project_dir()
    started = time.perf_counter()
    results, timings = validate_marts(
        warehouse.warehouse_path(),
        project,
        docs_root=quality_dir(project) / "gx",
        variables=variables,
    )
    timings["total"] = time.perf_counter() - started
    write_results(quality_dir(project) / "mart_gate.json", results, timings)
    if not gate_passed(results):
        print(render([r for r in results if r.status != "pass"], []), file=sys.stderr)
    print(f"Gate 3 (marts) took {timings['total']:.1f} s.")
    return 0 if gate_passed(results) else 1


def cmd_validate(args: argparse.Namespace) -> int:
    variables = _build_vars(args)
    if args.layer == "raw":
        return _raw_gate(variables)
    return _mart_gate(variables)


def cmd_quality(_args: argparse.Namespace) -> int:
    from .quality.report import run_report

    return run_report(warehouse.project_dir())


def cmd_replay(args: argparse.Namespace) -> int:
    """Backfill the accumulating marts (segment_membership_history, segment_sizes, static
    segments): a full-refresh build at the first date, then a build per later date."""
    dates = warehouse.replay_dates(args.start, args.end, args.every)
    given = _build_vars(args)
    if "as_of_date" in given:
        raise UsageError("replay sets as_of_date per date (--from, --to): drop it from --var")
    if args.target in (None, "dev"):
        try:
            warehouse.check_not_locked()
        except warehouse.WarehouseLocked as error:
            print(f"custseg: {error}", file=sys.stderr)
            return 1
    from .progress import Progress

    progress = Progress("replay")
    started = time.perf_counter()
    for index, as_of in enumerate(dates):
        dbt_args = ["build", *(["--full-refresh"] if index == 0 else [])]
        variables = {**given, "as_of_date": as_of.isoformat()}
        progress.say(f"date {index + 1} of {len(dates)}: {as_of}")
        with progress.dbt():
            result = warehouse.run_dbt(dbt_args, variables, target=args.target)
        print(
            f"{as_of}: {'ok' if result.success else 'FAILED'} "
            f"({time.perf_counter() - started:.0f} s so far)"
        )
        if not result.success:
            for line in _failure_lines(result):
                print(f"  - {line}", file=sys.stderr)
            return 1
    print(
        f"Replayed {len(dates)} dates, {dates[0]} to {dates[-1]}, "
        f"in {time.perf_counter() - started:.0f} s."
    )
    if args.target in (None, "dev"):
        with progress.stage("publish for BI tools"):
            _publish()
    return 0


def _built_warehouse() -> Path | None:
    """The warehouse file a command reads after a build, or None (the reason printed) when
    there is none yet or a process holds its lock."""
    path = warehouse.warehouse_path()
    if not path.exists():
        print(f"No warehouse at {path}: run `custseg build` first.", file=sys.stderr)
        return None
    try:
        warehouse.check_not_locked(path)
    except warehouse.WarehouseLocked as error:
        print(f"custseg: {error}", file=sys.stderr)
        return None
    return path


def cmd_publish(_args: argparse.Namespace) -> int:
    if _built_warehouse() is None:
        return 1
    _publish()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from . import activation
    from .progress import Progress

    path = _built_warehouse()
    if path is None:
        return 1

    out = Path(args.out) if args.out else warehouse.target_dir() / "exports"
    try:
        with Progress("export").stage(f"export {args.segment} to {args.channel}"):
            written, missing = activation.export(
                path, args.segment, args.channel, args.format, out, args.changes_since
            )
    except activation.ExportError as error:
        raise UsageError(str(error)) from None
    for item in written:
        what = "contacts" if item.kind == "audience" else item.kind
        print(f"Wrote {item.path}: {item.rows:,} {what}.")
    if missing:
        print(
            f"Left out {missing:,} consented members without a"
            f" {activation.IDENTIFIER[args.channel].replace('_', ' ')}."
        )
    print(f"Logged in {path} table {activation.LOG_TABLE}.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    if _built_warehouse() is None:
        return 1
    out = _segment_report(_build_vars(args), headline=True)
    print(f"Open {out} in a browser (it needs no network).")
    return 0


SEGMENT_EXPOSURES = Path("models/marts/segments/_segments__exposures.yml")


def _segment_exposures_yaml() -> str:
    """The segments' exposures as macro segment_exposures_yaml prints them."""
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = warehouse.run_dbt(["run-operation", "segment_exposures_yaml", "--quiet"])
    if not result.success:
        raise UsageError("the segment definitions do not compile: " + "; ".join(result.failures()))
    text = printed.getvalue()
    return text[text.index("version: 2") :].rstrip() + "\n"


def cmd_docs(args: argparse.Namespace) -> int:
    """Write the segments' exposures (one dbt docs page per segment, its rule as text), then
    dbt's documentation site; with --check, only compare the committed exposures."""
    path = warehouse.project_dir() / SEGMENT_EXPOSURES
    wanted = _segment_exposures_yaml()
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if args.check:
        if current != wanted:
            print(f"{path} differs from the segment definitions: run `custseg docs`",
                  file=sys.stderr)  # fmt: skip
            return 1
        print("The segments' exposures match the segment definitions.")
        return 0
    if current != wanted:
        path.write_text(wanted, encoding="utf-8")
        print(f"Wrote {path}")
    result = warehouse.run_dbt(["docs", "generate", "--static"], _build_vars(args))
    if not result.success:
        for line in _failure_lines(result):
            print(f"  - {line}", file=sys.stderr)
        print("dbt docs reads the built warehouse: run `custseg build` first.", file=sys.stderr)
        return 1
    target = warehouse.target_dir()
    print(f"dbt docs: {target / 'static_index.html'} (one file, opens without a server), or "
          f"`dbt docs serve --target-path {target}`.")  # fmt: skip
    return 0


MF_PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def cmd_mf(args: argparse.Namespace) -> int:
    """MetricFlow's `mf` on this project and the warehouse of WAREHOUSE_PATH. mf reads the
    semantic manifest from <project>/target/ only; when dbt's target is elsewhere
    (DBT_TARGET_PATH, as the demo's data/demo/target), mf runs in a folder of links to the
    project whose target/ is that one."""
    import subprocess

    project = warehouse.project_dir()
    target = warehouse.target_dir(project)
    if not (target / "semantic_manifest.json").exists():
        print(f"No semantic manifest in {target}: run `custseg build` first.", file=sys.stderr)
        return 1
    root = project
    if target.resolve() != (project / "target").resolve():
        root = target / "mf_project"
        root.mkdir(parents=True, exist_ok=True)
        for name in (*MF_PROJECT_PARTS, "target"):
            link = root / name
            if not link.is_symlink():
                link.symlink_to(target if name == "target" else project / name)
    environment = {**os.environ, "WAREHOUSE_PATH": str(warehouse.warehouse_path())}
    environment.pop("DBT_TARGET_PATH", None)  # the project's target/ (a link when moved)
    mf = Path(sys.executable).with_name("mf")
    return subprocess.run(
        [str(mf), *args.mf_args], cwd=root, env=environment, check=False
    ).returncode


def cmd_summary(_args: argparse.Namespace) -> int:
    from .report import print_summary

    return print_summary(warehouse.warehouse_path())


def cmd_contract(args: argparse.Namespace) -> int:
    from .contract import render

    directory = warehouse.project_dir()
    if args.action == "render":
        for path in render.write(directory):
            print(f"Wrote {path}")
        return 0
    stale = render.stale(directory)
    for path in stale:
        print(f"{path} differs from the contract: run `custseg contract render`", file=sys.stderr)
    if not stale:
        print("The dbt YAML matches the raw contract.")
    return 1 if stale else 0


def _spark_conf(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


def cmd_spark(args: argparse.Namespace) -> int:
    from .spark import build_on_spark

    variables = _build_vars(args)
    if "raw_path" not in variables:
        raise UsageError("spark needs the landing folder: --raw-path")
    return build_on_spark(
        raw_path=Path(variables["raw_path"]),
        select=args.select,
        exclude=args.exclude,
        variables={k: v for k, v in variables.items() if k != "raw_path"},
        work_dir=Path(args.work_dir) if args.work_dir else None,
        report_path=Path(args.report) if args.report else None,
        then_as_of=[d.isoformat() for d in args.then_as_of or []],
        spark_conf=dict(args.spark_conf or []),
        export_path=Path(args.export) if args.export else None,
    )


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw-path", help="folder of landing files (dbt var raw_path)")
    parser.add_argument(
        "--raw-format",
        choices=["auto", "parquet", "csv", "csv.gz"],
        help="dbt var raw_format (default auto: each table from the file that exists)",
    )
    parser.add_argument("--as-of", type=_date, help="dbt var as_of_date (default: today, UTC)")
    parser.add_argument(
        "--var",
        type=_var_pair,
        action="append",
        metavar="KEY=VALUE",
        help="any dbt var of dbt_project.yml, repeatable; VALUE is YAML (0.1, true, [a, b])",
    )


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="custseg", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write realistic raw data for all contract tables")
    gen.add_argument("--customers", type=int, default=10_000)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--out", default="data/raw")
    gen.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    gen.add_argument("--as-of", type=_date, help="last day of the history (default: today)")
    gen.add_argument("--messy", action="store_true", help="inject contract defects + manifest")
    gen.add_argument(
        "--deltas",
        type=int,
        default=0,
        metavar="DAYS",
        help="write each table as a folder: a full export and daily deltas for the last DAYS",
    )
    gen.add_argument(
        "--as-tools",
        action="store_true",
        help="write the data as HubSpot, Shopify, Mailchimp and Qualtrics export it, in "
        "sub-folders of --out (the tables no tool holds stay Parquet contract files)",
    )
    gen.set_defaults(func=cmd_generate)

    build = commands.add_parser("build", help="dbt build, then a summary of the warehouse")
    _add_source_options(build)
    build.add_argument("--select", nargs="+", help="dbt node selection")
    build.add_argument(
        "--exclude", nargs="+", help="dbt nodes to leave out (e.g. resource_type:unit_test)"
    )
    build.add_argument("--target", help="dbt target (default: profiles.yml's, dev)")
    build.add_argument("--full-refresh", action="store_true")
    build.add_argument(
        "--skip-raw-gate", action="store_true", help="do not validate the landing files first"
    )
    build.set_defaults(func=cmd_build)

    validate = commands.add_parser(
        "validate", help="a quality gate: raw (landing files, before dbt) or marts (after)"
    )
    validate.add_argument("layer", choices=["raw", "marts"])
    _add_source_options(validate)
    validate.set_defaults(func=cmd_validate)

    quality = commands.add_parser(
        "quality", help="the quality report of the last gates and dbt run (also JSON)"
    )
    quality.set_defaults(func=cmd_quality)

    replay = commands.add_parser(
        "replay", help="full refresh, then build date after date: backfills history and sizes"
    )
    _add_source_options(replay)
    replay.add_argument("--from", dest="start", type=_date, required=True, help="first as_of_date")
    replay.add_argument("--to", dest="end", type=_date, required=True, help="last as_of_date")
    replay.add_argument("--every", choices=["day", "week", "month"], default="month")
    replay.add_argument("--target", help="dbt target (default: profiles.yml's, dev)")
    replay.set_defaults(func=cmd_replay)

    publish = commands.add_parser(
        "publish",
        help="copy the marts and restricted schemas to the serving files BI tools read "
        "(custseg build does this after every build whose gates pass)",
    )
    publish.set_defaults(func=cmd_publish)

    export = commands.add_parser(
        "export",
        help="a segment's consented, non-holdout audience as a Mailchimp, HubSpot, CSV or "
        "Parquet file (addresses from restricted.customer_pii, only in the file)",
    )
    export.add_argument("--segment", required=True, help="a segment_id of marts.dim_segments")
    export.add_argument("--channel", required=True, choices=["email", "sms", "ads"])
    export.add_argument(
        "--format", required=True, choices=["mailchimp", "hubspot", "csv", "parquet"]
    )
    export.add_argument("--out", help="folder for the files (default: <dbt target>/exports)")
    export.add_argument(
        "--changes-since",
        metavar="DATE|last",
        help="write adds and removes since DATE (or since this segment's last export to the "
        "channel) from segment_membership_history, instead of the whole audience",
    )
    export.set_defaults(func=cmd_export)

    report = commands.add_parser(
        "report",
        help="the segment report: one self-contained HTML file of plots (custseg build "
        "writes it too)",
    )
    report.add_argument(
        "--var", type=_var_pair, action="append", metavar="KEY=VALUE",
        help="a dbt var the report reads (reporting_currency)",
    )  # fmt: skip
    report.set_defaults(func=cmd_report, as_of=None, raw_path=None, raw_format=None)

    docs = commands.add_parser(
        "docs",
        help="render the segments' pages (exposures) from their definitions, then dbt docs",
    )
    _add_source_options(docs)  # dbt compiles staging from the landing files' columns
    docs.add_argument(
        "--check", action="store_true",
        help="only check that the committed segment exposures match the definitions",
    )  # fmt: skip
    docs.set_defaults(func=cmd_docs)

    metricflow = commands.add_parser(
        "mf",
        help="MetricFlow (`mf query`, `mf list metrics`, ...) on this project's semantic layer "
        "and warehouse, wherever dbt's target is",
    )
    metricflow.add_argument("mf_args", nargs=argparse.REMAINDER, help="mf's own arguments")
    metricflow.set_defaults(func=cmd_mf)

    summary = commands.add_parser("summary", help="what the last build wrote, and where")
    summary.set_defaults(func=cmd_summary)

    contract = commands.add_parser("contract", help="the raw contract's dbt sources YAML")
    contract.add_argument("action", choices=["render", "check"])
    contract.set_defaults(func=cmd_contract)

    spark = commands.add_parser(
        "spark", help="load landing files into a local Spark session and dbt build there"
    )
    _add_source_options(spark)
    spark.add_argument("--select", nargs="+", help="dbt node selection (default: everything)")
    spark.add_argument(
        "--exclude", nargs="+", help="dbt nodes to leave out, also of the --then-as-of rebuilds"
    )
    spark.add_argument("--work-dir", help="Spark warehouse/metastore folder (default: temp)")
    spark.add_argument("--report", help="write staging reconciliation/quarantine JSON here")
    spark.add_argument(
        "--export",
        metavar="FOLDER",
        help="write every mart of the first build as Parquet to FOLDER/<schema>/<table>",
    )
    spark.add_argument(
        "--then-as-of",
        type=_date,
        nargs="+",
        help="afterwards rebuild the segment marts as of these later dates (same session)",
    )
    spark.add_argument(
        "--conf",
        dest="spark_conf",
        type=_spark_conf,
        action="append",
        metavar="KEY=VALUE",
        help="a Spark setting for the local session (repeatable), e.g. spark.driver.memory=4g",
    )
    spark.set_defaults(func=cmd_spark)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as error:
        print(f"custseg {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
