{{ stage_raw_table(source('raw', 'products'), connectors=[ref('stg_shopify__products')]) }}
