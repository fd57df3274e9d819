{#- Every distinct row of one raw table, typed, with its fate under the raw contract:
      row_status         staged | superseded | quarantined | erased
      duplicate_count    further exact copies of this row in the raw table (dropped)
      quarantine_reason  missing_required:<col> | bad_type:<col> | bad_value:<col>
                         | out_of_range:<col> | duplicate_key | orphan:<parent table>
      raw_record         the original record as JSON text (quarantined rows only)
      raw_row_id         hash of the raw record (null on erased rows)
    Steps, in this order (the reconciliation identity counts them):
      1. exact duplicates: rows identical in every contract column collapse into one row
         (group by every column: exact, and it spills to disk on tables larger than memory);
      2. erasure: a row tied to a person who asked for erasure keeps nothing but its fate
         and its count: every column, hash and key is null. The contract's `erasure`
         columns tie a row to a person, in precedence order: the first one that is not
         null decides (a web event with a customer_id belongs to that customer, one
         without belongs to its device). Erased rows take no part in the steps below;
      3. the first contract violation in contract column order (contract_violation);
      4. duplicate_key: in tables without a version column, valid rows sharing a key with a
         different row - all of them, none is trusted over the other;
      5. orphan:<parent>: a parent key (contract `parents`) with no staged parent row;
      6. versions: per key the latest by the version column is staged, the rest superseded
         (ties broken by the record hash, so the choice never depends on file order).
    Steps 2, 4 and 5 are aggregates and joins, not window functions over the whole table,
    so memory stays bounded on event tables of tens of millions of rows.
    `parents` maps each parent table named in the contract to its base model relation;
    `erased` maps each contract `erasure` column to the (ephemeral) relation of its erased
    values, column `erased_key` (emails are matched normalised). The source, parent and
    erasure relations are passed in by the model so the DAG shows them. -#}
{% macro stage_raw_table(source_relation, parents={}, erased={}) -%}
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
{%- for column in spec.erasure if column not in erased -%}
    {{ exceptions.raise_compiler_error(
        "Model for raw table '" ~ spec.name ~ "' must pass erased={'" ~ column
        ~ "': ref('base_raw__erased_...')} to stage_raw_table (contract erasure)") }}
{%- endfor -%}
{%- for column in erased if column not in spec.erasure -%}
    {{ exceptions.raise_compiler_error(
        "Model for raw table '" ~ spec.name ~ "' passes erased['" ~ column
        ~ "'], which is not an erasure column of the contract") }}
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

{%- for column in spec.erasure %}

erased_{{ column }} as (
    select erased_key
    from {{ erased[column] }}
),
{%- endfor %}

erasure_checked as (
    select
        parsed.*,
        {%- if spec.erasure %}
        case
            {%- for column in spec.erasure %}
            when {{ _erasure_match(column, 'parsed.') }} is not null
                then erased_{{ column }}.erased_key is not null
            {%- endfor %}
            else false
        end as is_erased
        {%- else %}
        false as is_erased
        {%- endif %}
    from parsed
    {%- for column in spec.erasure %}
    left join erased_{{ column }}
        on {{ _erasure_match(column, 'parsed.') }} = erased_{{ column }}.erased_key
    {%- endfor %}
),

checked as (
    select
        erasure_checked.*,
        case
            when not is_erased then {{ contract_violation(columns) | indent(12) }}
        end as violation
    from erasure_checked
),

{%- if spec.version_column is none %}

conflicting_keys as (
    select {{ key | join('__value, ') }}__value
    from checked
    where violation is null and not is_erased
    group by {{ key | join('__value, ') }}__value
    having count(*) > 1
),

key_checked as (
    select
        checked.*,
        case
            when checked.violation is null
                and not checked.is_erased
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
                    and not key_checked.is_erased
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
            when quarantine_reason is null and not is_erased
                then row_number() over (
                    partition by
                        {{ key | join('__value, ') }}__value,
                        quarantine_reason is null and not is_erased
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
        {%- if spec.erasure %}
        case when not is_erased then {{ name }}__value end as {{ name }},
        {%- else %}
        {{ name }}__value as {{ name }},
        {%- endif %}
        {%- endfor %}
        case
            when is_erased then 'erased'
            when quarantine_reason is not null then 'quarantined'
            when version_rank > 1 then 'superseded'
            else 'staged'
        end as row_status,
        quarantine_reason,
        case when quarantine_reason is not null then {{ json_object(names) }} end as raw_record,
        duplicate_count,
        case when not is_erased then {{ dbt.hash(json_object(names)) }} end as raw_row_id,
        case
            when not is_erased
                then concat_ws(
                    '|'{% for name in key %}, coalesce(trim({{ name }}), ''){% endfor %}
                )
        end as record_key
    from versioned
)

select * from final
{%- endmacro %}


{#- The value a contract erasure column is matched on: emails normalised, ids as typed. -#}
{% macro _erasure_match(column, prefix='') -%}
    {%- if column == 'email' -%}
        {{ normalize_email(prefix ~ column ~ '__value') }}
    {%- else -%}
        {{ prefix }}{{ column }}__value
    {%- endif -%}
{%- endmacro %}
