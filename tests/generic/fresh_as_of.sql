{#- Freshness as of the build's as_of_date, not the wall clock (dbt's `freshness:` uses the
    current time; builds run as of past dates). On a column of a raw source table (read with
    the raw contract, as staging reads it: an absent optional file is an empty table): the
    latest value of the column among rows dated on or before as_of_date (later rows are
    legitimate and ignored; values that do not parse are ignored) must be at most
    warn_after_days old, else a warning, and at most error_after_days old, else an error.
    error_after_days none: warn only. A table with no row on or before as_of_date passes,
    unless warn_if_empty (then it warns; an empty table never errors here: a missing
    required table stops the build in staging already).
    Returns one row, level 'warn', when the warn limit is passed, and a second, level
    'error', when the error limit is passed too: warn_if >= 1, error_if >= 2. -#}
{% test fresh_as_of(model, column_name, warn_after_days, error_after_days=none,
    warn_if_empty=false) %}
{{ config(warn_if='>=1', error_if='>=2') }}
{%- set warn_days = warn_after_days | int -%}
{%- set error_days = (error_after_days | int) if error_after_days is not none else none -%}
{%- if warn_days < 0 or (error_days is not none and error_days < warn_days) -%}
    {{ exceptions.raise_compiler_error(
        "fresh_as_of on " ~ model ~ "." ~ column_name ~ ": need 0 <= warn_after_days <= "
        ~ "error_after_days, got " ~ warn_after_days ~ " and " ~ error_after_days) }}
{%- endif -%}
{%- set spec = raw_contract_spec(model) -%}
{%- set found = spec.columns | selectattr('name', 'equalto', column_name) | list -%}
{%- set column = found[0] if found else {'name': column_name, 'type': 'timestamp'} -%}
{%- if execute and (not found or column.type not in ('date', 'timestamp')) -%}
    {{ exceptions.raise_compiler_error(
        "fresh_as_of on raw table '" ~ spec.name ~ "': column '" ~ column_name
        ~ "' must be a contract date or timestamp column") }}
{%- endif %}

with

raw_rows as (
    {{ select_raw_table(model, spec) | indent(4) }}
),

parsed as (
    select
        cast(
            {{ parse_contract_value("nullif(trim(" ~ column_name ~ "), '')", column) }}
            as date
        ) as value_date
    from raw_rows
),

latest as (
    select max(value_date) as latest_date
    from parsed
    where value_date <= {{ as_of_date() }}
),

measured as (
    select
        '{{ spec.name }}' as table_name,
        '{{ column_name }}' as column_name,
        latest_date,
        {{ as_of_date() }} as as_of_date,
        {{ dbt.datediff('latest_date', as_of_date(), 'day') }} as days_stale
    from latest
),

levels as (
    select
        'warn' as level,
        {{ warn_days }} as limit_days
    {%- if error_days is not none %}
    union all
    select
        'error' as level,
        {{ error_days }} as limit_days
    {%- endif %}
),

final as (
    select
        levels.level,
        measured.table_name,
        measured.column_name,
        measured.latest_date,
        measured.as_of_date,
        measured.days_stale,
        levels.limit_days
    from measured
    cross join levels
    where
        measured.days_stale > levels.limit_days
        {%- if warn_if_empty %}
        or (measured.latest_date is null and levels.level = 'warn')
        {%- endif %}
)

select * from final
{% endtest %}
