{#- Per raw table and record source (the landing files, 'landing'; each tool whose export
    feeds the table, e.g. 'shopify'): rows read (counted straight from the landing files;
    for a tool, the rows its mapping wrote), and what became of them. raw = staged + quarantined + superseded + exact
    duplicates + erased is tested; staged equals the rows of the table's staging model.
    Erased rows are counted with their exact copies. -#}
with

{% for table_name in raw_table_names() %}
{%- set source_relation = source('raw', table_name) %}
raw_rows_{{ table_name }} as (
    {{ select_raw_table(source_relation, raw_contract_spec(source_relation)) | indent(4) }}
),

raw_{{ table_name }} as (
    select
        'landing' as record_source,
        count(*) as raw_row_count
    from raw_rows_{{ table_name }}
    union all
    {#- a tool export's rows as its mapping wrote them (they are never stored as landed:
        the export's own rows are reconciled by a singular test per export) #}
    select
        record_source,
        sum(duplicate_count + 1) as raw_row_count
    from {{ ref('base_raw__' ~ table_name) }}
    where record_source <> 'landing'
    group by record_source
),

fates_{{ table_name }} as (
    select
        record_source,
        count(case when row_status = 'staged' then 1 end) as staged_row_count,
        count(case when row_status = 'quarantined' then 1 end) as quarantined_row_count,
        count(case when row_status = 'superseded' then 1 end) as superseded_row_count,
        coalesce(sum(case when row_status <> 'erased' then duplicate_count end), 0)
            as exact_duplicate_row_count,
        coalesce(sum(case when row_status = 'erased' then duplicate_count + 1 end), 0)
            as erased_row_count
    from {{ ref('base_raw__' ~ table_name) }}
    group by record_source
),

staged_{{ table_name }} as (
    select
        record_source,
        count(*) as staging_model_row_count
    from {{ ref('stg_raw__' ~ table_name) }}
    group by record_source
),

counts_{{ table_name }} as (
    select
        '{{ table_name }}' as table_name,
        raw_{{ table_name }}.record_source,
        raw_{{ table_name }}.raw_row_count,
        coalesce(fates_{{ table_name }}.staged_row_count, 0) as staged_row_count,
        coalesce(fates_{{ table_name }}.quarantined_row_count, 0) as quarantined_row_count,
        coalesce(fates_{{ table_name }}.superseded_row_count, 0) as superseded_row_count,
        coalesce(fates_{{ table_name }}.exact_duplicate_row_count, 0)
            as exact_duplicate_row_count,
        coalesce(fates_{{ table_name }}.erased_row_count, 0) as erased_row_count,
        coalesce(staged_{{ table_name }}.staging_model_row_count, 0) as staging_model_row_count
    from raw_{{ table_name }}
    left join fates_{{ table_name }}
        on raw_{{ table_name }}.record_source = fates_{{ table_name }}.record_source
    left join staged_{{ table_name }}
        on raw_{{ table_name }}.record_source = staged_{{ table_name }}.record_source
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
