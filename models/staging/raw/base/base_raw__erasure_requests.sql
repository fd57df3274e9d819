{{ stage_raw_table(source('raw', 'erasure_requests')) }}
