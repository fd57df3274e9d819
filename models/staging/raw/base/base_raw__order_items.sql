{{
    stage_raw_table(
        source('raw', 'order_items'),
        parents={'orders': ref('base_raw__orders')}
    )
}}
