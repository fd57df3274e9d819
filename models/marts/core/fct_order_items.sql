{#- One row per order line of the orders in fct_orders, with the product's attributes and
    the line totals: int_order_items_enriched, published with its contract. -#}
with

order_items as (
    select
        order_item_id,
        order_id,
        line_number,
        customer_id,
        ordered_at,
        ordered_date,
        is_valid_purchase,
        product_id,
        product_name,
        category,
        subcategory,
        brand,
        list_price,
        list_price_currency,
        is_in_catalogue,
        quantity,
        unit_price,
        currency,
        fx_status,
        line_total_original_currency,
        line_total_reporting
    from {{ ref('int_order_items_enriched') }}
)

select * from order_items
