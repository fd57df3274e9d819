{#- One row per order up to as_of_date, attributed to the surviving customer, amounts in the
    reporting currency: int_orders_enriched (where the logic and its unit tests live),
    published with its contract. -#}
with

orders as (
    select
        order_id,
        customer_id,
        source_customer_id,
        ordered_at,
        ordered_date,
        status,
        is_valid_purchase,
        currency,
        fx_status,
        rate_to_reporting,
        order_total_original_currency,
        discount_total_original_currency,
        order_total_reporting,
        discount_total_reporting,
        shipping_total_reporting,
        discount_share,
        line_count,
        item_quantity,
        channel,
        device_type,
        delivery_speed,
        has_coupon,
        order_number,
        purchase_number,
        is_first_purchase,
        days_since_previous_purchase
    from {{ ref('int_orders_enriched') }}
)

select * from orders
