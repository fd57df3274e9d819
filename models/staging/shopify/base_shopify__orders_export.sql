{#- Every row of the Shopify orders exports as it landed (text), with its file and position:
    one row per line item, the order-level columns on an order's first row. -#}
{{ select_tool_export(source('shopify', 'orders_export')) }}
