{{ stage_raw_table(source('raw', 'products'), connectors=tool_mappings('products')) }}
