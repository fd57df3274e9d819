{#- Shopify line items as raw contract `order_items` rows (text, staged by
    base_raw__order_items): one per export row, so the orders export's rows are reconciled
    here (a row without an order Name is quarantined for its missing order_id). line_number:
    the row's position in its order in the file; product_id: `Lineitem sku`, else
    `Lineitem name`. -#}
with

order_rows as (
    select * from {{ ref('stg_shopify__order_rows') }}
),

final as (
    select
        {{ dbt.concat(["'shopify:'", 'name']) }} as order_id,
        cast(line_number as {{ dbt.type_string() }}) as line_number,
        {{ dbt.concat(["'shopify:'", 'coalesce(lineitem_sku, lineitem_name)']) }} as product_id,
        lineitem_quantity as quantity,
        lineitem_price as unit_price,
        export_file,
        export_row
    from order_rows
)

{{ contract_rows('order_items', 'final', [
    'order_id', 'line_number', 'product_id', 'quantity', 'unit_price',
], 'shopify', ['export_file', 'export_row']) }}
