{#- Current members of every declared segment: one row per segment and customer, as of
    as_of_date. Segments are evaluated over dim_customers as boolean columns, level by
    level (macro segment_levels): a segment referring to others is evaluated after them.
    In an exclusive group a customer belongs to the matching segment with the lowest
    priority only: final = own match and no match of a better-priority member.
    Static segments take their frozen members (static_segment_members) that are still
    customers. -#}
-- depends_on: {{ ref('static_segment_members') }}
{%- set all_definitions = segment_definitions() %}
{%- set definitions = all_definitions | selectattr('type', 'equalto', 'active') | list %}
{%- set static_definitions = all_definitions | selectattr('type', 'equalto', 'static') | list %}
{%- set levels = segment_levels(all_definitions) if execute else {} %}
{%- set fields = segment_fields() if execute else {} %}
{%- set flags = {} %}
{%- for definition in definitions %}
    {%- do flags.update({definition.id: 'segment_flag_' ~ loop.index}) %}
{%- endfor %}
{%- set active_levels = [] %}
{%- for definition in definitions %}{% do active_levels.append(levels[definition.id]) %}{% endfor %}
{%- set level_count = (active_levels | max + 1) if active_levels else 0 %}
with

level_0 as (
    select * from {{ ref('dim_customers') }}
),
{%- for level in range(level_count) %}

level_{{ level }}_matched as (
    select
        *,
        {%- for definition in definitions if levels[definition.id] == level %}
        {{ segment_rule_sql(definition.rule, definition.id, fields, flags) }}
            as matched_{{ flags[definition.id] }}{{ ',' if not loop.last }}
        {%- endfor %}
    from level_{{ level }}
),

level_{{ level + 1 }} as (
    select
        *,
        {%- for definition in definitions if levels[definition.id] == level %}
        matched_{{ flags[definition.id] }}
        {%- for other in _segment_group_predecessors(definition, definitions) %}
            and not matched_{{ flags[other] }}
        {%- endfor %} as {{ flags[definition.id] }}{{ ',' if not loop.last }}
        {%- endfor %}
    from level_{{ level }}_matched
),
{%- endfor %}

-- One row per active segment: the customers are read once and paired with each segment
-- (a union of one select per segment made Spark plan the whole chain once per segment).
active_segments as (
    {%- for definition in definitions %}
    select
        {{ loop.index }} as segment_index,
        {{ string_literal(definition.id) }} as segment_id
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        0 as segment_index,
        cast(null as {{ dbt.type_string() }}) as segment_id
    where 1 = 0
    {%- endfor %}
),

memberships as (
    select
        active_segments.segment_id,
        level_{{ level_count }}.customer_id,
        level_{{ level_count }}.as_of_date
    from level_{{ level_count }}
    cross join active_segments
    where
        case active_segments.segment_index
            {%- for definition in definitions %}
            when {{ loop.index }} then level_{{ level_count }}.{{ flags[definition.id] }}
            {%- endfor %}
            {#- the no-segment row above; and Spark wants one `when` at least #}
            when 0 then false
        end
    {%- if static_definitions %}
    union all
    select
        frozen.segment_id,
        level_0.customer_id,
        level_0.as_of_date
    from {{ ref('static_segment_members') }} as frozen
    inner join level_0
        on frozen.customer_id = level_0.customer_id
    where frozen.segment_id in (
        {%- for definition in static_definitions -%}
        {{ string_literal(definition.id) }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
    {%- endif %}
),

final as (
    select * from memberships
)

select * from final
