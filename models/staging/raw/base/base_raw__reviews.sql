{{
    stage_raw_table(
        source('raw', 'reviews'),
        parents={'customers': ref('base_raw__customers')}
    )
}}
