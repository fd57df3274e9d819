{#- Every raw row that broke the contract, with its table, key, reason and original record. -#}
with

{% for table_name in raw_table_names() %}
quarantined_{{ table_name }} as (
    select
        '{{ table_name }}' as table_name,
        record_key,
        quarantine_reason,
        raw_record
    from {{ ref('base_raw__' ~ table_name) }}
    where row_status = 'quarantined'
),

{% endfor %}
unioned as (
    {%- for table_name in raw_table_names() %}
    select * from quarantined_{{ table_name }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        {{ dbt.hash(dbt.concat(['table_name', "'|'", 'raw_record'])) }} as quarantined_row_id,
        table_name,
        record_key,
        quarantine_reason,
        {{ dbt.split_part('quarantine_reason', "':'", 1) }} as quarantine_rule,
        raw_record
    from unioned
)

select * from final
