{#- Every distinct row of one raw table, typed, with its fate under the raw contract:
      row_status         staged | superseded | quarantined
      duplicate_count    further exact copies of this row in the raw table (dropped)
      quarantine_reason  missing_required:<col> | bad_type:<col> | bad_value:<col>
                         | out_of_range:<col> | duplicate_key | orphan:<parent table>
      raw_record         the original record as JSON text (quarantined rows only)
      raw_row_id         hash of the raw record
    Steps, in this order (the reconciliation identity counts them):
      1. exact duplicates: rows identical in every contract column collapse into one row
         (group by every column: exact, and it spills to disk on tables larger than memory);
      2. the first contract violation in contract column order (contract_violation);
      3. duplicate_key: in tables without a version column, valid rows sharing a key with a
         different row - all of them, none is trusted over the other;
      4. orphan:<parent>: a parent key (contract `parents`) with no staged parent row;
      5. versions: per key the latest by the version column is staged, the rest superseded
         (ties broken by the record hash, so the choice never depends on file order).
    Steps 3 and 4 are aggregates and joins, not window functions over the whole table, so
    memory stays bounded on event tables of tens of millions of rows.
    `parents` maps each parent table named in the contract to its base model relation.
    The source and parent relations are passed in by the model so the DAG shows them. -#}
{% macro stage_raw_table(source_relation, parents={}) -%}
{%- if not execute -%}
    {{ return('select 1 as parsing') }}
{%- endif -%}
{%- set spec = raw_contract_spec(source_relation) -%}
{%- set columns = spec.columns -%}
{%- set names = columns | map(attribute='name') | list -%}
{%- set key = spec.key -%}
{%- for parent_table in spec.parents.values() if parent_table not in parents -%}
    {{ exceptions.raise_compiler_error(
        "Model for raw table '" ~ spec.name ~ "' must pass parents={'" ~ parent_table
        ~ "': ref('base_raw__" ~ parent_table ~ "')} to stage_raw_table (contract parents)") }}
{%- endfor -%}
{%- set value_names = [] -%}
{%- for name in names %}{% do value_names.append(name ~ '__value') %}{% endfor -%}

with

raw_rows as (
    {{ select_raw_table(source_relation, spec) | indent(4) }}
),

distinct_rows as (
    select
        {{ names | join(',\n        ') }},
        count(*) - 1 as duplicate_count
    from raw_rows
    group by {{ names | join(', ') }}
),

parsed as (
    select
        distinct_rows.*,
        {%- for column in columns %}
        {{ parse_contract_value('nullif(trim(' ~ column.name ~ "), '')", column) }}
            as {{ column.name }}__value{{ ',' if not loop.last }}
        {%- endfor %}
    from distinct_rows
),

checked as (
    select
        parsed.*,
        {{ contract_violation(columns) | indent(8) }} as violation
    from parsed
),

{%- if spec.version_column is none %}

conflicting_keys as (
    select {{ key | join('__value, ') }}__value
    from checked
    where violation is null
    group by {{ key | join('__value, ') }}__value
    having count(*) > 1
),

key_checked as (
    select
        checked.*,
        case
            when checked.violation is null
                and conflicting_keys.{{ key[0] }}__value is not null
                then 'duplicate_key'
        end as key_violation
    from checked
    left join conflicting_keys
        on {% for name in key %}{{ 'and ' if not loop.first }}checked.{{ name }}__value = conflicting_keys.{{ name }}__value{{ '\n        ' if not loop.last }}{% endfor %}
),
{%- else %}

key_checked as (
    select
        checked.*,
        cast(null as {{ dbt.type_string() }}) as key_violation
    from checked
),
{%- endif %}

{%- for child_column, parent_table in spec.parents.items() %}

staged_{{ parent_table }} as (
    select {{ child_column }} as parent_key
    from {{ parents[parent_table] }}
    where row_status = 'staged'
),
{%- endfor %}

parent_checked as (
    select
        key_checked.*,
        coalesce(
            key_violation,
            {%- for child_column, parent_table in spec.parents.items() %}
            case
                when key_checked.{{ child_column }}__value is not null
                    and parent_{{ parent_table }}.parent_key is null
                    then 'orphan:{{ parent_table }}'
            end,
            {%- endfor %}
            cast(null as {{ dbt.type_string() }})
        ) as relation_violation
    from key_checked
    {%- for child_column, parent_table in spec.parents.items() %}
    left join staged_{{ parent_table }} as parent_{{ parent_table }}
        on key_checked.{{ child_column }}__value = parent_{{ parent_table }}.parent_key
    {%- endfor %}
),

classified as (
    select
        parent_checked.*,
        coalesce(violation, relation_violation) as quarantine_reason
    from parent_checked
),

versioned as (
    select
        classified.*,
        {%- if spec.version_column %}
        case
            when quarantine_reason is null
                then row_number() over (
                    partition by
                        {{ key | join('__value, ') }}__value,
                        quarantine_reason is null
                    order by
                        {{ spec.version_column }}__value desc,
                        {{ dbt.hash(json_object(value_names)) }}
                )
        end as version_rank
        {%- else %}
        1 as version_rank
        {%- endif %}
    from classified
),

final as (
    select
        {%- for name in names %}
        {{ name }}__value as {{ name }},
        {%- endfor %}
        case
            when quarantine_reason is not null then 'quarantined'
            when version_rank > 1 then 'superseded'
            else 'staged'
        end as row_status,
        quarantine_reason,
        case when quarantine_reason is not null then {{ json_object(names) }} end as raw_record,
        duplicate_count,
        {{ dbt.hash(json_object(names)) }} as raw_row_id,
        concat_ws(
            '|'{% for name in key %}, coalesce(trim({{ name }}), ''){% endfor %}
        ) as record_key
    from versioned
)

select * from final
{%- endmacro %}
