{#- On a base_raw__<table> model. A table whose quarantined share of raw rows exceeds
    max_ratio (default var('max_quarantine_ratio')) stops the build with an error naming the
    table and its top reasons; `dbt build` then skips everything downstream of it. Below
    the limit, the quarantined rows are returned: with severity warn they are a warning. -#}
{% test quarantine_within_limit(model, max_ratio=none) %}
{%- set limit = (max_ratio if max_ratio is not none else var('max_quarantine_ratio')) | float -%}
{%- if limit < 0 or limit > 1 -%}
    {{ exceptions.raise_compiler_error(
        "quarantine_within_limit: max_ratio must be between 0 and 1, got " ~ limit) }}
{%- endif -%}
{%- if execute -%}
    {%- set table_name = model.identifier | replace('base_raw__', '') -%}
    {%- set counts_sql -%}
        select
            coalesce(sum(1 + duplicate_count), 0) as raw_rows,
            count(case when row_status = 'quarantined' then 1 end) as quarantined_rows
        from {{ model }}
    {%- endset -%}
    {%- set counts = run_query(counts_sql).rows[0] -%}
    {%- set raw_rows = counts[0] | int -%}
    {%- set quarantined_rows = counts[1] | int -%}
    {%- if quarantined_rows > 0 -%}
        {%- set reasons_sql -%}
            select quarantine_reason, count(*) as row_count
            from {{ model }}
            where row_status = 'quarantined'
            group by quarantine_reason
            order by row_count desc, quarantine_reason
            limit 3
        {%- endset -%}
        {%- set reasons = [] -%}
        {%- for row in run_query(reasons_sql).rows -%}
            {%- do reasons.append(row[0] ~ " (" ~ (row[1] | int) ~ ")") -%}
        {%- endfor -%}
        {%- set ratio = quarantined_rows / raw_rows -%}
        {%- set message = "Raw table '" ~ table_name ~ "': " ~ quarantined_rows ~ " of "
            ~ raw_rows ~ " rows quarantined (" ~ '%.2f' | format(ratio * 100)
            ~ " %), top reasons: " ~ reasons | join(', ') ~ ". Rows: " ~ model
            ~ " where row_status = 'quarantined'." -%}
        {%- if ratio > limit -%}
            {{ exceptions.raise_compiler_error(message ~ " This exceeds max_quarantine_ratio = "
                ~ limit ~ ": fix the input, or raise the var if this share is acceptable.") }}
        {%- endif -%}
        {%- do log("Warning: " ~ message, info=true) -%}
    {%- endif -%}
{%- endif %}

select
    record_key,
    quarantine_reason
from {{ model }}
where row_status = 'quarantined'
{% endtest %}
