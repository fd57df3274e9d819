{#- Orders up to as_of_date whose currency has no FX rate to var('reporting_currency') on or
    before their date. They stay in fct_orders as purchases with unknown reporting amounts;
    one row per currency (count, share of all orders, first and last date). Up to var
    max_unconverted_order_ratio of the orders (all currencies together) they are a warning,
    logged with the currencies; above it the test raises an error naming the currencies and
    the fix, whatever its severity. It reads the conversion model, so a failure stops
    fct_orders and everything downstream: no mart is built on an unknown share of the money. -#}
{{ config(severity='warn') }}
{%- set limit = var('max_unconverted_order_ratio') | float -%}
{%- if limit < 0 or limit > 1 -%}
    {{ exceptions.raise_compiler_error(
        "max_unconverted_order_ratio must be between 0 and 1, got " ~ limit) }}
{%- endif -%}
{%- set reporting_currency = var('reporting_currency') -%}

{%- set unconverted_sql -%}
with

orders as (
    select
        currency,
        ordered_date,
        fx_status
    from {{ ref('int_orders_converted_to_reporting_currency') }}
    where ordered_date <= {{ as_of_date() }}
),

totals as (
    select count(*) as order_count
    from orders
),

unconverted as (
    select
        orders.currency,
        count(*) as order_count,
        min(orders.ordered_date) as first_order_date,
        max(orders.ordered_date) as last_order_date
    from orders
    where orders.fx_status = 'missing_fx_rate'
    group by orders.currency
),

final as (
    select
        unconverted.currency,
        unconverted.order_count,
        cast(unconverted.order_count * 1.0 / totals.order_count as decimal(9, 6))
            as order_share,
        unconverted.first_order_date,
        unconverted.last_order_date,
        totals.order_count as all_order_count
    from unconverted
    cross join totals
)

select * from final
{%- endset -%}

{#- compiled without a build (dbt compile, sqlfluff), the model may not exist yet #}
{%- set converted = load_relation(ref('int_orders_converted_to_reporting_currency'))
    if execute else none -%}
{%- if converted is not none -%}
    {%- set rows = run_query(unconverted_sql ~ " order by order_count desc, currency").rows -%}
    {%- if rows | length > 0 -%}
        {%- set all_orders = rows[0][5] | int -%}
        {%- set ns = namespace(unconverted=0, parts=[]) -%}
        {%- for row in rows -%}
            {%- set ns.unconverted = ns.unconverted + (row[1] | int) -%}
            {%- do ns.parts.append(row[0] ~ " " ~ (row[1] | int) ~ " ("
                ~ '%.2f' | format((row[2] | float) * 100) ~ " %, " ~ row[3] ~ " to " ~ row[4]
                ~ ")") -%}
        {%- endfor -%}
        {%- set ratio = ns.unconverted / all_orders -%}
        {%- set message = ns.unconverted ~ " of " ~ all_orders ~ " orders ("
            ~ '%.2f' | format(ratio * 100) ~ " %) have no FX rate to " ~ reporting_currency
            ~ ": " ~ ns.parts | join(", ") ~ ". They count as purchases with unknown amounts"
            ~ " (fct_orders.fx_status = 'missing_fx_rate')." -%}
        {%- set extension = var('raw_format') if var('raw_format') in ('parquet', 'csv', 'csv.gz')
            else 'csv' -%}
        {%- set fix = " Fix: add fx_rates." ~ extension ~ " to the raw folder with"
            ~ " columns currency, rate_date, rate_to_reporting (" ~ reporting_currency
            ~ " per unit of the currency; the latest rate on or before an order's date"
            ~ " applies), or set var reporting_currency to the shop's currency." -%}
        {%- if ratio > limit -%}
            {{ exceptions.raise_compiler_error(message ~ " This exceeds"
                ~ " max_unconverted_order_ratio = " ~ limit ~ "." ~ fix
                ~ " Or raise max_unconverted_order_ratio if these amounts may stay unknown.") }}
        {%- endif -%}
        {%- do log("Warning: " ~ message ~ fix, info=true) -%}
    {%- endif -%}
{%- endif %}

{{ unconverted_sql }}
