{{
    stage_raw_table(
        source('raw', 'orders'),
        parents={'customers': ref('base_raw__customers')}
    )
}}
