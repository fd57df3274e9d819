{#- Every row of one raw table, typed, with its fate under the raw contract:
      row_status         staged | superseded | quarantined | exact_duplicate
      quarantine_reason  missing_required:<col> | bad_type:<col> | bad_value:<col>
                         | out_of_range:<col> | duplicate_key | orphan:<parent table>
      raw_record         the original record as JSON text (quarantined rows only)
      raw_row_id         identifies the raw row: hash of its record and copy number
    Steps, in this order (the reconciliation identity counts them):
      1. exact duplicates: rows identical in every contract column, all but one;
      2. the first contract violation in contract column order (contract_violation);
      3. duplicate_key: in tables without a version column, valid rows sharing a key with a
         different row - all of them, none is trusted over the other;
      4. orphan:<parent>: a parent key (contract `parents`) with no staged parent row;
      5. versions: per key the latest by the version column is staged, the rest superseded
         (ties broken by the record hash, so the choice never depends on file order).
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
{%- set is_valid = "exact_copy_number = 1 and violation is null" -%}

with

raw_rows as (
    {{ select_raw_table(source_relation, spec) | indent(4) }}
),

numbered as (
    select
        raw_rows.*,
        row_number() over (
            partition by {{ names | join(', ') }}
            order by {{ names[0] }}
        ) as exact_copy_number
    from raw_rows
),

trimmed as (
    select
        exact_copy_number,
        {{ json_object(names) }} as raw_record,
        {%- for name in names %}
        nullif(trim({{ name }}), '') as {{ name }}__text{{ ',' if not loop.last }}
        {%- endfor %}
    from numbered
),

parsed as (
    select
        trimmed.*,
        {%- for column in columns %}
        {{ parse_contract_value(column.name ~ '__text', column) }} as {{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from trimmed
),

checked as (
    select
        parsed.*,
        {{ contract_violation(columns) | indent(8) }} as violation
    from parsed
),

{%- if spec.version_column is none %}

key_checked as (
    select
        checked.*,
        case
            when {{ is_valid }}
                and sum(case when {{ is_valid }} then 1 else 0 end) over (
                    partition by {{ key | join(', ') }}
                ) > 1
                then 'duplicate_key'
        end as key_violation
    from checked
),
{%- else %}

key_checked as (
    select
        checked.*,
        cast(null as {{ dbt.type_string() }}) as key_violation
    from checked
),
{%- endif %}

parent_checked as (
    select
        key_checked.*,
        coalesce(
            key_violation,
            {%- for child_column, parent_table in spec.parents.items() %}
            case
                when key_checked.{{ child_column }} is not null
                    and parent_{{ parent_table }}.parent_key is null
                    then 'orphan:{{ parent_table }}'
            end,
            {%- endfor %}
            cast(null as {{ dbt.type_string() }})
        ) as relation_violation
    from key_checked
    {%- for child_column, parent_table in spec.parents.items() %}
    left join (
        select {{ child_column }} as parent_key
        from {{ parents[parent_table] }}
        where row_status = 'staged'
    ) as parent_{{ parent_table }}
        on key_checked.{{ child_column }} = parent_{{ parent_table }}.parent_key
    {%- endfor %}
),

classified as (
    select
        parent_checked.*,
        case
            when exact_copy_number = 1 then coalesce(violation, relation_violation)
        end as quarantine_reason,
        {{ dbt.hash(json_object(names)) }} as record_hash
    from parent_checked
),

versioned as (
    select
        classified.*,
        {%- if spec.version_column %}
        case
            when exact_copy_number = 1 and quarantine_reason is null
                then row_number() over (
                    partition by
                        {{ key | join(', ') }},
                        exact_copy_number = 1 and quarantine_reason is null
                    order by {{ spec.version_column }} desc, record_hash
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
        {{ name }},
        {%- endfor %}
        case
            when exact_copy_number > 1 then 'exact_duplicate'
            when quarantine_reason is not null then 'quarantined'
            when version_rank > 1 then 'superseded'
            else 'staged'
        end as row_status,
        quarantine_reason,
        case when quarantine_reason is not null then raw_record end as raw_record,
        {{ dbt.hash(dbt.concat(['raw_record', "'#'", dbt.safe_cast('exact_copy_number', dbt.type_string())])) }}
            as raw_row_id,
        concat_ws(
            '|'{% for name in key %}, coalesce({{ name }}__text, ''){% endfor %}
        ) as record_key,
        record_hash
    from versioned
)

select * from final
{%- endmacro %}
