{{ stage_raw_table(source('raw', 'products')) }}
