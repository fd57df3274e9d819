{{
    stage_raw_table(
        source('raw', 'email_events'),
        parents={'customers': ref('base_raw__customers')},
        erased={'customer_id': ref('base_raw__erased_customer_ids')},
        connectors=tool_mappings('email_events')
    )
}}
