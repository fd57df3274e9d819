{{
    stage_raw_table(
        source('raw', 'customers'),
        erased={
            'customer_id': ref('base_raw__erased_customer_ids'),
            'email': ref('base_raw__erased_emails'),
        },
        connectors=tool_mappings('customers')
    )
}}
