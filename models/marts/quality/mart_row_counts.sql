{#- Rows of the main marts per build date: the history gate 3 (custseg validate marts)
    compares a build's counts with the previous date's, so a mart that suddenly shrinks or
    grows is caught even when every row-level test passes. Incremental like segment_sizes:
    one set of rows per as_of_date; rebuilding a date replaces them. -#}
{{ config(
    materialized='incremental',
    unique_key=['mart_name', 'as_of_date'],
    incremental_strategy='delete+insert' if target.type == 'duckdb' else 'insert_overwrite',
    partition_by=none if target.type == 'duckdb' else ['as_of_date'],
    on_schema_change='fail',
) }}
{%- set marts = [
    'dim_customers', 'fct_orders', 'fct_order_items', 'fct_sessions', 'fct_email_messages',
    'customer_rfm', 'customer_value', 'customer_lead_scores', 'segment_memberships',
    'audience_exports',
] %}
with

counted as (
    {%- for mart in marts %}
    select
        '{{ mart }}' as mart_name,
        count(*) as row_count
    from {{ ref(mart) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        mart_name,
        cast(row_count as {{ dbt.type_bigint() }}) as row_count,
        {{ as_of_date() }} as as_of_date
    from counted
)

select * from final
