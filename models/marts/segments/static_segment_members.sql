{#- Frozen members of every static segment (type: static in _segment_definitions.yml).
    A static segment's rule is evaluated once, by the first build whose as_of_date is on
    or after its created_on; its members are then kept as they were, like a HubSpot static
    list. Each build rewrites the whole table (every segment present is replaced:
    delete+insert on DuckDB, partition overwrite on Spark) from its previous state:
    - segments frozen by an earlier date keep their members, minus erased customers;
    - segments due now (created_on <= as_of_date, not yet frozen, or frozen by an earlier
      build of this same date) are evaluated now, so rebuilding a date is idempotent.
    Every frozen segment has one freeze record (customer_id null) so an empty static
    segment stays frozen and empty. -#}
-- depends_on: {{ ref('base_raw__erased_customer_ids') }}
{{ config(
    materialized='incremental',
    unique_key='segment_id',
    incremental_strategy='delete+insert' if target.type == 'duckdb' else 'insert_overwrite',
    partition_by=none if target.type == 'duckdb' else ['segment_id'],
    on_schema_change='fail',
) }}
{%- set definitions = segment_definitions() | selectattr('type', 'equalto', 'static') | list %}
{%- set fields = segment_fields() if execute else {} %}
with

customers as (
    select * from {{ ref('dim_customers') }}
),
{%- if is_incremental() %}

erased as (
    select erased_key as customer_id
    from {{ ref('base_raw__erased_customer_ids') }}
),

previous as (
    select
        previous.segment_id,
        previous.customer_id,
        previous.frozen_on
    from {{ this }} as previous
    left join erased
        on previous.customer_id = erased.customer_id
    where previous.frozen_on < {{ as_of_date() }}
        and erased.customer_id is null
),
{%- else %}

previous as (
    select
        cast(null as {{ dbt.type_string() }}) as segment_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as date) as frozen_on
    from customers
    where 1 = 0
),
{%- endif %}

already_frozen as (
    select distinct segment_id
    from previous
),

due as (
    {%- for definition in definitions %}
    select {{ string_literal(definition.id) }} as segment_id
    where cast('{{ definition.created_on }}' as date) <= {{ as_of_date() }}
    {{ 'union all' if not loop.last }}
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as segment_id
    where 1 = 0
    {%- endfor %}
),

freezing as (
    select due.segment_id
    from due
    left join already_frozen
        on due.segment_id = already_frozen.segment_id
    where already_frozen.segment_id is null
),

matched as (
    {%- for definition in definitions %}
    select
        {{ string_literal(definition.id) }} as segment_id,
        customer_id
    from customers
    where {{ segment_rule_sql(definition.rule, definition.id, fields, {}) }}
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as segment_id,
        customer_id
    from customers
    where 1 = 0
    {%- endfor %}
),

frozen_now as (
    select
        matched.segment_id,
        matched.customer_id,
        {{ as_of_date() }} as frozen_on
    from matched
    inner join freezing
        on matched.segment_id = freezing.segment_id
),

freeze_records as (
    select
        segment_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        {{ as_of_date() }} as frozen_on
    from freezing
),

unioned as (
    select
        segment_id,
        customer_id,
        frozen_on
    from previous
    union all
    select
        segment_id,
        customer_id,
        frozen_on
    from frozen_now
    union all
    select
        segment_id,
        customer_id,
        frozen_on
    from freeze_records
),

final as (
    select
        customer_id,
        frozen_on,
        segment_id
    from unioned
)

select * from final
