{#- Per raw table: rows read from the landing file or table (counted straight from the
    source), and what became of them. raw = staged + quarantined + superseded + exact
    duplicates + erased is tested; staged equals the rows of the table's staging model.
    Erased rows are counted with their exact copies. -#}
with

{% for table_name in raw_table_names() %}
{%- set source_relation = source('raw', table_name) %}
raw_rows_{{ table_name }} as (
    {{ select_raw_table(source_relation, raw_contract_spec(source_relation)) | indent(4) }}
),

raw_{{ table_name }} as (
    select count(*) as raw_row_count
    from raw_rows_{{ table_name }}
),

fates_{{ table_name }} as (
    select
        count(case when row_status = 'staged' then 1 end) as staged_row_count,
        count(case when row_status = 'quarantined' then 1 end) as quarantined_row_count,
        count(case when row_status = 'superseded' then 1 end) as superseded_row_count,
        coalesce(sum(case when row_status <> 'erased' then duplicate_count end), 0)
            as exact_duplicate_row_count,
        coalesce(sum(case when row_status = 'erased' then duplicate_count + 1 end), 0)
            as erased_row_count
    from {{ ref('base_raw__' ~ table_name) }}
),

staged_{{ table_name }} as (
    select count(*) as staging_model_row_count
    from {{ ref('stg_raw__' ~ table_name) }}
),

counts_{{ table_name }} as (
    select
        '{{ table_name }}' as table_name,
        raw_{{ table_name }}.raw_row_count,
        fates_{{ table_name }}.staged_row_count,
        fates_{{ table_name }}.quarantined_row_count,
        fates_{{ table_name }}.superseded_row_count,
        fates_{{ table_name }}.exact_duplicate_row_count,
        fates_{{ table_name }}.erased_row_count,
        staged_{{ table_name }}.staging_model_row_count
    from raw_{{ table_name }}
    cross join fates_{{ table_name }}
    cross join staged_{{ table_name }}
),

{% endfor %}
unioned as (
    {%- for table_name in raw_table_names() %}
    select * from counts_{{ table_name }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        *,
        case
            when raw_row_count = 0 then 0
            else cast(quarantined_row_count as {{ dbt.type_float() }}) / raw_row_count
        end as quarantined_share
    from unioned
)

select * from final
