-- Every staged order placed up to as_of_date is in fct_orders with its order-currency total
-- unchanged, orders without an FX rate included (fx_status 'missing_fx_rate', reporting
-- amounts null), and a reporting amount is null exactly when the rate is missing. Returns
-- the orders that are lost, altered or inconsistent.
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
        fx_status,
        order_total_original_currency,
        order_total_reporting
    from {{ ref('fct_orders') }}
),

checked as (
    select
        staged_orders.order_id,
        staged_orders.order_total,
        reported.fx_status,
        reported.order_total_original_currency,
        reported.order_total_reporting
    from staged_orders
    left join reported
        on staged_orders.order_id = reported.order_id
    where
        reported.order_id is null
        or reported.order_total_original_currency <> staged_orders.order_total
        or (reported.fx_status = 'missing_fx_rate') <> (reported.order_total_reporting is null)
)

select * from checked
