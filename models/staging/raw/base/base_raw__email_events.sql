{{
    stage_raw_table(
        source('raw', 'email_events'),
        parents={'customers': ref('base_raw__customers')}
    )
}}
