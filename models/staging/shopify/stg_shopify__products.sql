{#- Shopify products as raw contract `products` rows (text, staged by base_raw__products):
    one per product id (`Lineitem sku`, else `Lineitem name`) from its latest line item:
    name, vendor as brand, compare-at price (else the price paid) as list price. -#}
with

lines as (
    select * from {{ ref('stg_shopify__order_rows') }}
    where coalesce(lineitem_sku, lineitem_name) is not null
),

ranked as (
    select
        lines.*,
        row_number() over (
            partition by coalesce(lines.lineitem_sku, lines.lineitem_name)
            order by lines.ordered_at desc, lines.export_row desc
        ) as recency_rank
    from lines
),

final as (
    select
        {{ dbt.concat(["'shopify:'", 'coalesce(lineitem_sku, lineitem_name)']) }} as product_id,
        lineitem_name as product_name,
        vendor as brand,
        coalesce(lineitem_compare_at_price, lineitem_price) as list_price,
        upper(order_currency) as currency
    from ranked
    where recency_rank = 1
)

{{ contract_rows('products', 'final', [
    'product_id', 'product_name', 'brand', 'list_price', 'currency',
], 'shopify') }}
