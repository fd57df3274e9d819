{#- One row per dbt invocation that built this warehouse: which raw data it read (the
    source, its location and a fingerprint of the landing files), its as_of_date and when
    it started. Incremental (append): the history of builds; a full refresh starts it over,
    like every accumulating mart. The on-run-start hook check_raw_source() compares a
    build's source with the latest row here before anything is written. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}
{%- set landing = landing_files_fingerprint() if execute else {} -%}
{%- set text = dbt.type_string() -%}
{%- set file_count = landing.get('file_count') -%}
{%- set file_bytes = landing.get('bytes') -%}
with

this_build as (
    select
        cast({{ string_literal(invocation_id) }} as {{ text }}) as build_id,
        cast(
            {{ string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }} as timestamp
        ) as started_at,
        {{ as_of_date() }} as as_of_date,
        cast({{ string_literal(raw_source()) }} as {{ text }}) as raw_source,
        cast({{ string_literal(raw_location()) }} as {{ text }}) as raw_location,
        cast({{ string_literal(raw_format()) }} as {{ text }}) as raw_format,
        cast({{ 'null' if file_count is none else file_count }} as {{ dbt.type_bigint() }})
            as landing_file_count,
        cast({{ 'null' if file_bytes is none else file_bytes }} as {{ dbt.type_bigint() }})
            as landing_bytes,
        cast(
            {{ string_literal(landing.modified_at) if landing.get('modified_at') else 'null' }}
            as timestamp
        ) as landing_files_modified_at,
        cast(
            {{ string_literal(landing.listing) if landing.get('listing') else 'null' }}
            as {{ text }}
        ) as landing_files,
        cast(
            {{ string_literal(landing.fingerprint) if landing.get('fingerprint') else 'null' }}
            as {{ text }}
        ) as raw_fingerprint,
        cast({{ string_literal(target.name) }} as {{ text }}) as dbt_target,
        {{ 'true' if flags.FULL_REFRESH else 'false' }} as is_full_refresh
)

select * from this_build
