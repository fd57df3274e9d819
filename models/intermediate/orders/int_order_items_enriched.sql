{#- One row per order line of the orders in int_orders_enriched, with the product's attributes and
    the line total in the order currency and, at the order's rate, the reporting currency
    (null when the order's currency has no rate: fx_status).
    A product missing from the catalogue keeps its line, with null attributes. -#}
with

order_items as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price
    from {{ ref('stg_raw__order_items') }}
),

orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        ordered_date,
        is_valid_purchase,
        currency,
        fx_status,
        rate_to_reporting
    from {{ ref('int_orders_enriched') }}
),

products as (
    select
        product_id,
        product_name,
        category,
        subcategory,
        brand,
        list_price,
        currency as list_price_currency
    from {{ ref('stg_raw__products') }}
),

final as (
    select
        concat(order_items.order_id, '-', cast(order_items.line_number as {{ dbt.type_string() }}))
            as order_item_id,
        order_items.order_id,
        order_items.line_number,
        orders.customer_id,
        orders.ordered_at,
        orders.ordered_date,
        orders.is_valid_purchase,
        order_items.product_id,
        products.product_name,
        products.category,
        products.subcategory,
        products.brand,
        products.list_price,
        products.list_price_currency,
        products.product_id is not null as is_in_catalogue,
        order_items.quantity,
        order_items.unit_price,
        orders.currency,
        orders.fx_status,
        cast(order_items.quantity * order_items.unit_price as decimal(18, 2))
            as line_total_original_currency,
        cast(
            order_items.quantity * order_items.unit_price * orders.rate_to_reporting
            as decimal(18, 2)
        ) as line_total_reporting
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id
)

select * from final
