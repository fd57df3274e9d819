{{
    stage_raw_table(
        source('raw', 'consents'),
        parents={'customers': ref('base_raw__customers')}
    )
}}
