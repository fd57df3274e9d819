{#- Every row of the Shopify products exports as it landed (text), with its file and
    position: one row per variant or extra image of a product. -#}
{{ select_tool_export(source('shopify', 'products_export')) }}
