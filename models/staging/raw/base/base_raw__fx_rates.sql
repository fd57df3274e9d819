{{ stage_raw_table(source('raw', 'fx_rates')) }}
