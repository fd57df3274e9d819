"""`--var KEY=VALUE` on custseg build, validate, replay and spark: any var declared in
dbt_project.yml, the value read as YAML like dbt's --vars; an unknown name is an error
naming the nearest declared var; an explicit option and a --var of the same var must
agree. One real use: a gate threshold given with --var changes gate 1's verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from custseg import cli, warehouse
from project_copy import copy_project


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max_quarantine_ratio=0.1", ("max_quarantine_ratio", 0.1)),
        ("clv_min_customers=50", ("clv_min_customers", 50)),
        ("merge_contacts_by_email=false", ("merge_contacts_by_email", False)),
        ("quality_consent_share_band=[0.01, 0.99]", ("quality_consent_share_band", [0.01, 0.99])),
        ("as_of_date=2003-01-03", ("as_of_date", "2003-01-03")),
        ("reporting_currency=CHF", ("reporting_currency", "CHF")),
        ("raw_csv_delimiter=;", ("raw_csv_delimiter", ";")),
        ("raw_csv_delimiter=,", ("raw_csv_delimiter", ",")),
        ("raw_csv_delimiter=|", ("raw_csv_delimiter", "|")),
        ("raw_csv_delimiter=\t", ("raw_csv_delimiter", "\t")),
        ("raw_path=/data/exports=2026", ("raw_path", "/data/exports=2026")),
    ],
)
def test_values_are_read_as_yaml_scalars(text, expected):
    assert cli._var_pair(text) == expected


def test_a_var_without_equals_sign_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.parser().parse_args(["build", "--var", "as_of_date"])
    assert exit_info.value.code == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["build", "validate", "replay", "spark"])
def test_every_source_command_takes_repeated_vars(command):
    extra = {"validate": ["raw"], "replay": ["--from", "2026-01-31", "--to", "2026-02-28"]}
    args = cli.parser().parse_args(
        [command, *extra.get(command, []), "--var", "a=1", "--var", "b=[x, y]"]
    )
    assert args.var == [("a", 1), ("b", ["x", "y"])]


def test_the_declared_vars_are_dbt_projects():
    project = yaml.safe_load((warehouse.project_dir() / "dbt_project.yml").read_text())
    assert cli.declared_vars() == project["vars"]
    assert {"raw_format", "raw_csv_delimiter", "reporting_currency"} <= set(cli.declared_vars())


def test_an_unknown_var_names_the_nearest_declared_one(tmp_path, capsys):
    status = cli.main(
        ["validate", "raw", "--raw-path", str(tmp_path), "--var", "max_quarantine_ration=0.1"]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "--var max_quarantine_ration: no such var in dbt_project.yml" in err
    assert "did you mean max_quarantine_ratio?" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-06-30", "--var", "as_of_date=2026-01-01"],
         "--as-of 2026-06-30 and --var as_of_date=2026-01-01 disagree"),
        (["--raw-format", "csv", "--var", "raw_format=parquet"],
         "--raw-format csv and --var raw_format=parquet disagree"),
        (["--var", "reporting_currency=CHF", "--var", "reporting_currency=EUR"],
         "--var reporting_currency given twice"),
    ],
)  # fmt: skip
def test_an_option_and_a_var_that_disagree_stop_the_command(tmp_path, capsys, args, message):
    status = cli.main(["validate", "raw", "--raw-path", str(tmp_path), *args])
    assert status == 2
    assert message in capsys.readouterr().err


def test_an_option_and_a_var_that_agree_are_fine(tmp_path):
    args = cli.parser().parse_args(
        ["build", "--raw-path", str(tmp_path), "--as-of", "2026-06-30",
         "--var", "as_of_date=2026-06-30", "--var", f"raw_path={tmp_path}"]
    )  # fmt: skip
    variables = cli._build_vars(args)
    assert variables["as_of_date"] == "2026-06-30"
    assert variables["raw_path"] == str(tmp_path.resolve())


def test_a_relative_raw_path_var_is_relative_to_where_the_command_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = cli.parser().parse_args(["build", "--var", "raw_path=exports"])
    assert cli._build_vars(args)["raw_path"] == str(tmp_path.resolve() / "exports")


def test_replay_refuses_an_as_of_date_var(capsys):
    status = cli.main(
        ["replay", "--from", "2026-01-31", "--to", "2026-02-28", "--var", "as_of_date=2026-01-01"]
    )
    assert status == 2
    assert "replay sets as_of_date per date" in capsys.readouterr().err


def _export_with_bad_orders(folder: Path, rows: int = 10, bad: int = 2) -> Path:
    folder.mkdir()
    (folder / "customers.csv").write_text(
        "customer_id,created_at,updated_at\n"
        + "".join(f"C{i},2026-01-01T00:00:00Z,2026-06-01T00:00:00Z\n" for i in range(rows)),
        encoding="utf-8",
    )
    (folder / "orders.csv").write_text(
        "order_id,customer_id,ordered_at,status,currency,order_total,updated_at\n"
        + "".join(
            f"O{i},C{i},2026-06-01T00:00:00Z,completed,EUR,{'abc' if i < bad else '10.00'},"
            "2026-06-01T00:00:00Z\n"
            for i in range(rows)
        ),
        encoding="utf-8",
    )
    return folder


def test_a_threshold_var_changes_the_gate_verdict(tmp_path, monkeypatch, capsys):
    """2 of 10 orders have an unparseable total (20 %): above the default
    max_quarantine_ratio (5 %) gate 1 fails; with --var max_quarantine_ratio=0.5 it warns
    and passes."""
    raw = _export_with_bad_orders(tmp_path / "export")
    monkeypatch.setenv("CUSTSEG_PROJECT_DIR", str(copy_project(tmp_path / "project")))
    assert cli.main(["validate", "raw", "--raw-path", str(raw)]) == 1
    failed = capsys.readouterr().out
    assert "FAIL  orders.bad_type:order_total" in failed
    assert (
        cli.main(["validate", "raw", "--raw-path", str(raw), "--var", "max_quarantine_ratio=0.5"])
        == 0
    )
    passed = capsys.readouterr().out
    assert "WARN  orders.bad_type:order_total" in passed
    assert "Gate 1 PASSED." in passed
