{{ stage_raw_table(source('raw', 'campaigns')) }}
