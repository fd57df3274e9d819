{#- Freshness as of the build's as_of_date, not the wall clock (dbt's `freshness:` uses the
    current time; builds run as of past dates). On a column of a raw source table (read with
    the raw contract, as staging reads it: an absent optional file is an empty table): the
    latest value of the column among rows dated on or before as_of_date (later rows are
    legitimate and ignored; values that do not parse are ignored), and its age in days at
    as_of_date.
    - Older than the warn threshold: a warning (the test returns one row).
    - Older than the error threshold, when there is one: an error that stops everything
      downstream. No error threshold (none, or a var that is empty or null): never an error.
    Each threshold is a number (warn_after_days, error_after_days) or the name of the var
    that holds it (warn_after_days_var, error_after_days_var; the var wins).
    A table with no row on or before as_of_date passes, unless warn_if_empty (then it
    warns, but for a table tool exports feed; an empty table never errors here: a missing
    required table stops the build in staging already).
    The warning or error says, in one sentence, the table, the column, the latest value,
    its age in days at as_of_date, the threshold and what sets it: logged in the dbt output
    (warning), raised as the test's error message (error), and written into the compiled
    SQL as a `-- quality message:` line, which the quality report shows (custseg.quality).
-#}
{% test fresh_as_of(model, column_name, warn_after_days=none, error_after_days=none,
    warn_if_empty=false, warn_after_days_var=none, error_after_days_var=none) %}
{{ config(warn_if='>=1', error_if='>=2') }}
{#- Each threshold: {'days': int or none, 'source': what sets it, in words}. A var wins
    over the literal; a var that is empty, null or none means no threshold. -#}
{%- set thresholds = {} -%}
{%- for level, days, var_name in [
        ('warn', warn_after_days, warn_after_days_var),
        ('error', error_after_days, error_after_days_var)] -%}
    {%- set value = var(var_name, none) if var_name else days -%}
    {%- set source = ("var " ~ var_name) if var_name else ("argument " ~ level ~ "_after_days") -%}
    {%- set text = (value | string | trim) if value is not none else '' -%}
    {%- if text | lower in ('', 'none', 'null') -%}
        {%- do thresholds.update({level: {'days': none, 'source': source}}) -%}
    {%- elif modules.re.match('^[0-9]+$', text) -%}
        {%- do thresholds.update({level: {'days': text | int, 'source': source}}) -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "fresh_as_of on " ~ model ~ "." ~ column_name ~ ": " ~ source ~ " must be a "
            ~ "whole number of days" ~ (" or empty" if level == 'error' else "") ~ ", got '"
            ~ text ~ "'") }}
    {%- endif -%}
{%- endfor -%}
{%- set warn = thresholds.warn -%}
{%- set error = thresholds.error -%}
{%- if warn.days is none -%}
    {{ exceptions.raise_compiler_error(
        "fresh_as_of on " ~ model ~ "." ~ column_name ~ ": warn_after_days (or "
        ~ "warn_after_days_var naming a var that is set) is required") }}
{%- endif -%}
{%- if warn.days < 0 or (error.days is not none and error.days < warn.days) -%}
    {{ exceptions.raise_compiler_error(
        "fresh_as_of on " ~ model ~ "." ~ column_name ~ ": need 0 <= warn threshold ("
        ~ warn.source ~ ") <= error threshold (" ~ error.source ~ "), got " ~ warn.days
        ~ " and " ~ error.days) }}
{%- endif -%}
{%- set spec = raw_contract_spec(model) -%}
{%- set found = spec.columns | selectattr('name', 'equalto', column_name) | list -%}
{%- set column = found[0] if found else {'name': column_name, 'type': 'timestamp'} -%}
{%- if execute and (not found or column.type not in ('date', 'timestamp')) -%}
    {{ exceptions.raise_compiler_error(
        "fresh_as_of on raw table '" ~ spec.name ~ "': column '" ~ column_name
        ~ "' must be a contract date or timestamp column") }}
{%- endif -%}
{%- set measured_ctes -%}
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
)
{%- endset -%}
{%- set message = none -%}
{%- if execute -%}
    {%- set row = run_query(
        "with " ~ measured_ctes ~ " select latest_date, days_stale from measured").rows[0] -%}
    {%- set where = "raw table " ~ spec.name ~ ", column " ~ column_name -%}
    {%- set as_of = "as_of_date " ~ as_of_date_text() -%}
    {%- if row[0] is none -%}
        {#- a table only tool exports feed: exports taken by hand, which carry their own
            dates, not a feed whose age says anything (their sources say no_freshness_test) -#}
        {%- if warn_if_empty and not tool_exports_feeding(spec.name) -%}
            {%- set message = "Freshness warning: " ~ where ~ " has no value on or before "
                ~ as_of ~ " (empty table, or every value later): nothing shows the data is "
                ~ "current." -%}
        {%- endif -%}
    {%- else -%}
        {%- set latest = row[0] | string -%}
        {%- set days = row[1] | int -%}
        {%- set stale = where ~ ": latest value " ~ latest[:10] ~ " is " ~ days
            ~ " days old at " ~ as_of -%}
        {%- if error.days is not none and days > error.days -%}
            {{ exceptions.raise_compiler_error(
                "Freshness error: " ~ stale ~ ", more than the error threshold of "
                ~ error.days ~ " days (" ~ error.source ~ "). Export newer data, build as of "
                ~ "an earlier as_of_date, or raise or unset " ~ error.source ~ ".") }}
        {%- elif days > warn.days -%}
            {%- set message = "Freshness warning: " ~ stale ~ ", more than the warn "
                ~ "threshold of " ~ warn.days ~ " days (" ~ warn.source ~ ")" ~ (
                    "; an error after " ~ error.days ~ " days (" ~ error.source ~ ")."
                    if error.days is not none
                    else "; never an error unless " ~ error.source ~ " is set."
                    if error_after_days_var
                    else "; never an error.") -%}
        {%- endif -%}
    {%- endif -%}
    {%- if message -%}
        {%- do log(message, info=true) -%}
    {%- endif -%}
{%- endif %}
{%- if message %}
-- quality message: {{ message }}
{%- endif %}

with

{{ measured_ctes }},

levels as (
    select
        'warn' as level,
        {{ warn.days }} as limit_days
    {%- if error.days is not none %}
    union all
    select
        'error' as level,
        {{ error.days }} as limit_days
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
        {%- if warn_if_empty and not (execute and tool_exports_feeding(spec.name)) %}
        or (measured.latest_date is null and levels.level = 'warn')
        {%- endif %}
)

select * from final
{% endtest %}
