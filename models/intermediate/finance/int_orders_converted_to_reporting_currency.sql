{#- Each staged order's amounts in the reporting currency, at the rate of the order date
    or, when that day has none (weekends, holidays), the latest earlier rate. Orders
    already in the reporting currency need no rate. An order with no rate on or before
    its date gets has_fx_rate = false, fx_status 'missing_fx_rate' and null converted
    amounts: it is never converted to 0. fct_orders keeps it as a purchase with unknown
    reporting amounts (test assert_every_order_currency_has_an_fx_rate warns, or fails
    above var max_unconverted_order_ratio). -#}
with

orders as (
    select
        order_id,
        currency,
        cast(ordered_at as date) as ordered_date,
        order_total,
        discount_total,
        shipping_total
    from {{ ref('stg_raw__orders') }}
),

fx_rates as (
    select
        currency,
        rate_date,
        rate_to_reporting
    from {{ ref('stg_raw__fx_rates') }}
    where currency <> '{{ var("reporting_currency") }}'
),

foreign_orders as (
    select
        order_id,
        currency,
        ordered_date
    from orders
    where currency <> '{{ var("reporting_currency") }}'
),

{# Rates and orders on one timeline per currency; on a day with both, the rate comes
   first (sort_order 0), so an order takes its own day's rate. #}
timeline as (
    select
        currency,
        rate_date as event_date,
        0 as sort_order,
        cast(null as {{ dbt.type_string() }}) as order_id,
        rate_to_reporting
    from fx_rates
    union all
    select
        currency,
        ordered_date as event_date,
        1 as sort_order,
        order_id,
        cast(null as decimal(18, 8)) as rate_to_reporting
    from foreign_orders
),

filled as (
    select
        order_id,
        {{ last_value_ignore_nulls('rate_to_reporting') }} over (
            partition by currency
            order by event_date, sort_order
            rows between unbounded preceding and current row
        ) as rate_to_reporting
    from timeline
),

order_rates as (
    select
        order_id,
        rate_to_reporting
    from filled
    where order_id is not null
),

converted as (
    select
        orders.order_id,
        orders.currency,
        orders.ordered_date,
        case
            when orders.currency = '{{ var("reporting_currency") }}' then cast(1 as decimal(18, 8))
            else order_rates.rate_to_reporting
        end as rate_to_reporting,
        orders.order_total,
        orders.discount_total,
        orders.shipping_total
    from orders
    left join order_rates
        on orders.order_id = order_rates.order_id
),

final as (
    select
        order_id,
        currency,
        ordered_date,
        rate_to_reporting,
        rate_to_reporting is not null as has_fx_rate,
        case
            when currency = '{{ var("reporting_currency") }}' then 'reporting_currency'
            when rate_to_reporting is not null then 'converted'
            else 'missing_fx_rate'
        end as fx_status,
        order_total,
        discount_total,
        cast(order_total * rate_to_reporting as decimal(18, 2)) as order_total_reporting,
        cast(discount_total * rate_to_reporting as decimal(18, 2)) as discount_total_reporting,
        cast(shipping_total * rate_to_reporting as decimal(18, 2)) as shipping_total_reporting
    from converted
)

select * from final
