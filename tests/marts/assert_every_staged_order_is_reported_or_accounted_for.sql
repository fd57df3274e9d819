-- Every staged order placed up to as_of_date is in fct_orders with its order-currency total
-- unchanged, unless its currency has no FX rate (then it is listed in
-- int_orders_without_fx_rate). Returns the orders that are lost or altered.
with

staged_orders as (
    select
        order_id,
        order_total
    from {{ ref('stg_raw__orders') }}
    where ordered_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

reported as (
    select
        order_id,
        order_total_original_currency
    from {{ ref('fct_orders') }}
),

without_rate as (
    select order_id
    from {{ ref('int_orders_without_fx_rate') }}
),

checked as (
    select
        staged_orders.order_id,
        staged_orders.order_total,
        reported.order_total_original_currency
    from staged_orders
    left join reported
        on staged_orders.order_id = reported.order_id
    left join without_rate
        on staged_orders.order_id = without_rate.order_id
    where
        without_rate.order_id is null
        and (
            reported.order_id is null
            or reported.order_total_original_currency <> staged_orders.order_total
        )
)

select * from checked
