"""Great Expectations plumbing shared by the gates.

GX 1.24's SQL datasource cannot read DuckDB (rows are fetched after the connection is
closed: ``IndexError`` in ``resolve_metric_bundle``), so the gates never hand GX a SQL
connection. They read through DuckDB themselves (read-only, Arrow) and give GX pandas
frames: row-level suites get bounded chunks of a table, distribution suites get small
aggregates computed by DuckDB. Results never carry values: the result format keeps the
counts and drops the unexpected values (``partial_unexpected_count: 0``), so neither the
report nor Data Docs can leak PII.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import FAIL, PASS, WARN, CheckResult

# GX imports pyspark, whose version check warns about pandas 3 when first imported.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")

# Counts, never values: no unexpected value reaches a result, the report or Data Docs.
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 0,
    "include_unexpected_rows": False,
}


def context(docs_root: Path | None = None):
    """An ephemeral GX context. With ``docs_root``, checkpoint runs are stored under
    ``docs_root/gx/uncommitted/validations`` and ``build_docs`` writes Data Docs HTML to
    ``docs_root/gx/uncommitted/data_docs/local_site``, as a file context would; the rest of
    the configuration stays in memory (a file context rewrites and re-reads its YAML on
    every datasource, asset and suite change: two fifths of a gate's time)."""
    warnings.filterwarnings("ignore", module="great_expectations")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults())
    if docs_root is not None:
        uncommitted = (docs_root / "gx" / "uncommitted").resolve()
        site = docs_index(docs_root).parent.resolve()
        site.mkdir(parents=True, exist_ok=True)
        config.stores[config.validation_results_store_name]["store_backend"] = {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(uncommitted / "validations"),
        }
        config.data_docs_sites = {
            "local_site": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        }
    ctx = gx.get_context(mode="ephemeral", project_config=config)
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def docs_index(docs_root: Path) -> Path:
    return docs_root / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def validate_frame(
    ctx,
    suite_name: str,
    frame,
    expectations: Iterable[Any],
    write_docs: bool = False,
    key_column: str | None = None,
):
    """Validate a pandas frame against ``expectations``; returns GX's validation result.
    With ``write_docs`` (file context only) the run is stored for Data Docs, which the gate
    builds once when all its runs are stored (``build_docs``): a checkpoint action would
    rebuild the whole site after every run, which took most of a gate's time.
    ``key_column`` (aggregate frames only, never PII) makes each result list the keys of
    its unexpected rows (``unexpected_index_list``)."""
    result_format = RESULT_FORMAT
    if key_column:
        result_format = {
            **RESULT_FORMAT,
            "result_format": "COMPLETE",
            "unexpected_index_column_names": [key_column],
        }
    import great_expectations as gx

    suite = ctx.suites.add_or_update(
        gx.ExpectationSuite(name=suite_name, expectations=list(expectations))
    )
    try:
        source = ctx.data_sources.get("custseg_frames")
    except KeyError:
        source = ctx.data_sources.add_pandas("custseg_frames")
    # Data Docs name each run's asset after its suite; a run without docs shares one asset
    # (each new asset rewrites the context's whole configuration)
    asset_name = suite_name if write_docs else "frame"
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        batch_definition = asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    if not write_docs:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(suite, result_format=result_format)
    definition = ctx.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite_name, data=batch_definition, suite=suite)
    )
    checkpoint = ctx.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite_name,
            validation_definitions=[definition],
            actions=[],
            result_format=result_format,
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": frame})
    return next(iter(run.run_results.values()))


def build_docs(ctx) -> None:
    """Render Data Docs for every run stored in ``ctx`` (a file context), once."""
    ctx.build_data_docs()


def check_results(validation, gate: str, layer: str, table: str) -> list[CheckResult]:
    """One CheckResult per expectation. An expectation's ``meta`` gives its readable
    ``check`` name and ``severity`` (fail, the default, or warn); a met expectation
    passes."""
    results = []
    for outcome in validation.results:
        config = outcome.expectation_config
        meta = config.meta or {}
        severity = meta.get("severity", FAIL)
        if severity not in (FAIL, WARN):
            raise ValueError(f"{table}: expectation severity must be fail or warn: {meta}")
        result = outcome.result or {}
        failing = result.get("unexpected_count")
        error = _error_type(outcome.exception_info)
        results.append(
            CheckResult(
                gate=gate,
                layer=layer,
                table=table,
                check=meta.get("check", config.type),
                status=PASS if outcome.success else severity,
                failing_rows=int(failing) if failing is not None else None,
                message=f"GX could not evaluate it ({error})" if error else meta.get("message", ""),
            )
        )
    return results


def unexpected_keys(validation, key_column: str) -> dict[str, set]:
    """Per expectation ``check`` name and severity (``check|severity``): the keys of the
    rows that failed it (needs ``key_column`` in ``validate_frame``)."""
    found: dict[str, set] = {}
    for outcome in validation.results:
        meta = outcome.expectation_config.meta or {}
        name = f"{meta.get('check', outcome.expectation_config.type)}|{meta.get('severity', FAIL)}"
        rows = (outcome.result or {}).get("unexpected_index_list") or []
        found.setdefault(name, set()).update(row[key_column] for row in rows)
    return found


def _error_type(info) -> str | None:
    """The type of the error GX met evaluating an expectation, never its text (which can
    quote data). GX 1.24 reports one dict, or one dict per metric."""
    if not info:
        return None
    entries = info.values() if all(isinstance(v, dict) for v in info.values()) else [info]
    for entry in entries:
        if entry.get("raised_exception"):
            message = str(entry.get("exception_message") or "")
            return message.split(":", 1)[0][:60] or "error"
    return None
