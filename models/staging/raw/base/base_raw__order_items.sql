{{
    stage_raw_table(
        source('raw', 'order_items'),
        parents={'orders': ref('base_raw__orders')},
        erased={'order_id': ref('base_raw__erased_order_ids')},
        connectors=tool_mappings('order_items')
    )
}}
