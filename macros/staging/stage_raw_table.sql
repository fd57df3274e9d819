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
         (ties broken by the typed record, column by column, so the choice never depends on
         file order nor on the engine).
    Steps 2, 4 and 5 are aggregates and joins, not window functions over the whole table,
    so memory stays bounded on event tables of tens of millions of rows.
    Every row also has staging_key (its key as parsed, the group steps 4 and 6 decide within;
    'erased' on erased rows, which keep no key) and staged_at (the build that staged it).
    Incremental (staging_delta: a folder of deltas, the table built before), only these are
    staged again, from every landing file, and replace their earlier rows:
      - the key groups of the rows in the files staging_delta names;
      - the key groups holding a row of a person erased since (not yet erased here);
      - the key groups whose parent key was staged again by this build (orphan:<parent>);
      - every erased row (they keep no key to find them by: a scan of the erasure columns).
    Each of those groups sees all of its raw rows, so its fates equal a full refresh's.
    `parents` maps each parent table named in the contract to its base model relation;
    `erased` maps each contract `erasure` column to the (ephemeral) relation of its erased
    values, column `erased_key` (emails are matched normalised). The source, parent and
    erasure relations are passed in by the model so the DAG shows them.
    `connectors`: the relations of tool exports mapped onto this table (models/staging/
    <tool>/stg_<tool>__*: contract columns as text, a missing one reads as null), staged
    with the landing files' rows by the same rules; record_source says where each row came
    from ('landing' for the contract's files, else the tool). A table fed by a tool export
    is staged whole every build (staging_delta). -#}
{% macro stage_raw_table(source_relation, parents={}, erased={}, connectors=[]) -%}
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
{%- set key_columns = [] -%}
{%- for column in columns if column.name in key -%}
    {%- do key_columns.append(column) -%}
{%- endfor -%}
{%- set delta = staging_delta(spec.name) -%}

with

raw_rows as (
    select
        landed.*,
        'landing' as record_source
    from (
        {{ select_raw_table(source_relation, spec, with_file=delta is not none) | indent(8) }}
    ) as landed
    {{- tool_rows_union(spec, connectors, with_source=true, with_file=delta is not none) }}
),
{%- if delta is not none %}

{#- Incremental: the key groups to stage again (see the header). -#}
keyed_rows as (
    select
        raw_rows.*,
        {{ _staging_key(key_columns, "nullif(trim(", "), '')") }} as staging_key
    from raw_rows
),

touched_keys as (
    select staging_key
    from keyed_rows
    where landing_file in (
        {%- for file in delta.files %}{{ ', ' if not loop.first }}{{ string_literal(file) }}{% endfor %}
        {%- if not delta.files %}cast(null as {{ dbt.type_string() }}){% endif -%}
    )
    {%- for column in spec.erasure %}
    union
    select staged.staging_key
    from {{ this }} as staged
    inner join {{ erased[column] }} as erased_since
        on {{ normalize_email('staged.email') if column == 'email' else 'staged.' ~ column }}
            = erased_since.erased_key
    where staged.row_status <> 'erased'
    {%- endfor %}
    {%- for child_column, parent_table in spec.parents.items() %}
    union
    select staged.staging_key
    from {{ this }} as staged
    inner join {{ parents[parent_table] }} as parent
        on staged.{{ child_column }} = parent.staging_key
    where parent.staged_at = {{ run_started_at_literal() }}
    {%- endfor %}
),

selected_rows as (
    select {{ names | join(', ') }}, record_source
    from keyed_rows
    where staging_key in (select staging_key from touched_keys)
    {%- for column in columns if column.name in spec.erasure %}
        {%- set parsed = parse_contract_value("nullif(trim(" ~ column.name ~ "), '')", column) %}
        or {{ normalize_email(parsed) if column.name == 'email' else parsed }}
            in (select erased_key from {{ erased[column.name] }})
    {%- endfor %}
),
{%- endif %}

distinct_rows as (
    select
        {{ names | join(',\n        ') }},
        record_source,
        count(*) - 1 as duplicate_count
    from {{ 'selected_rows' if delta is not none else 'raw_rows' }}
    group by {{ names | join(', ') }}, record_source
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
                        {#- ties: the smaller typed record, column by column in contract
                            order (the same on every engine; a hash of a JSON text was
                            not: Spark's JSON drops nulls and spells timestamps its way) #}
                        {%- for name in value_names %}
                        {{ name }} asc nulls last{{ ',' if not loop.last }}
                        {%- endfor %}
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
        end as record_key,
        case
            when is_erased then 'erased'
            else {{ _staging_key(key_columns, '', '__value', parse=false) }}
        end as staging_key,
        record_source,
        {{ run_started_at_literal() }} as staged_at
    from versioned
)

{%- if delta is not none %},

restaged as (
    select * from final
    where row_status = 'erased' or staging_key in (select staging_key from touched_keys)
),

{#- One row per key group staged again, row_status null: the strategy replace_staged_keys
    deletes the group's earlier rows by it (a group whose rows are all erased now has no
    row left to carry its key) and inserts every other row. -#}
replaced_groups as (
    select staging_key from touched_keys
)

select * from restaged
union all by name
select * from replaced_groups
{%- else %}

select * from final
{%- endif %}
{%- endmacro %}


{#- A row's key as parsed, as one text (the group of rows steps 4 and 6 decide within):
    key values joined by '|', an unparsed value as ''. parse: parse the text columns
    prefix<name>suffix; else they are parsed values already. -#}
{% macro _staging_key(key_columns, prefix, suffix, parse=true) -%}
    concat_ws('|'
    {%- for column in key_columns -%}
        {%- set value = prefix ~ column.name ~ suffix -%}
        , coalesce(cast({{ parse_contract_value(value, column) if parse else value }}
            as {{ dbt.type_string() }}), '')
    {%- endfor -%})
{%- endmacro %}


{#- The value a contract erasure column is matched on: emails normalised, ids as typed. -#}
{% macro _erasure_match(column, prefix='') -%}
    {%- if column == 'email' -%}
        {{ normalize_email(prefix ~ column ~ '__value') }}
    {%- else -%}
        {{ prefix }}{{ column }}__value
    {%- endif -%}
{%- endmacro %}
