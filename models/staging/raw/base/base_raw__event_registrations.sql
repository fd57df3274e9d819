{{
    stage_raw_table(
        source('raw', 'event_registrations'),
        parents={'customers': ref('base_raw__customers')},
        erased={'customer_id': ref('base_raw__erased_customer_ids')}
    )
}}
