{#- on-run-start: one warehouse holds one data set. Stops the invocation, before any model
    writes, when marts.warehouse_builds shows that this warehouse's history came from another
    raw source than the one this build reads (raw_source()). A full refresh
    (--full-refresh) starts the history over and may switch source; the same source with
    new or changed files (tomorrow's export) is recorded, not stopped. -#}
{% macro check_raw_source() -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{ return('') }}
    {%- endif -%}
    {#- graph, not ref(): a hook has no dependencies to infer -#}
    {%- set builds = graph.nodes.get('model.custseg.warehouse_builds') -%}
    {%- if builds is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(
        database=builds.database, schema=builds.schema, identifier=builds.alias) -%}
    {%- if existing is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set latest = run_query(
        'select raw_source, cast(started_at as ' ~ dbt.type_string() ~ ') from ' ~ existing
        ~ ' order by started_at desc limit 1').rows -%}
    {%- if latest | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set history_source = latest[0][0] -%}
    {%- set this_source = raw_source() -%}
    {%- if history_source != this_source -%}
        {{ exceptions.raise_compiler_error(
            "This warehouse holds the history of raw source '" ~ history_source
            ~ "' (last build " ~ latest[0][1] ~ "), but this build reads '" ~ this_source
            ~ "'. Nothing was written. One warehouse holds one data set: build this source "
            ~ "into another warehouse (set WAREHOUSE_PATH, e.g. WAREHOUSE_PATH=other.duckdb), "
            ~ "or start this warehouse's history over with an explicit full refresh "
            ~ "(custseg build --full-refresh, or dbt build --full-refresh), which drops the "
            ~ "accumulated segment_sizes, segment_membership_history, static segments, "
            ~ "mart_row_counts and warehouse_builds. A source that moves between folders "
            ~ "can carry one name instead (var raw_source_name, from its first build on).") }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
