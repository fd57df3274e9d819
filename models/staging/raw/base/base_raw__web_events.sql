{{
    stage_raw_table(
        source('raw', 'web_events'),
        parents={'customers': ref('base_raw__customers')}
    )
}}
