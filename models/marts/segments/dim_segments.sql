{#- One row per declared segment (_segment_definitions.yml) with its metadata and a
    human-readable rendering of its rule. Compiling this model validates every
    definition (macros segment_definitions, segment_levels, segment_rule_sql). -#}
{%- set definitions = segment_definitions() %}
{%- if execute %}
    {%- set fields = segment_fields() %}
    {%- set flags = {} %}
    {%- for segment_id in segment_levels(definitions) %}
        {%- do flags.update({segment_id: 'segment_flag'}) %}
    {%- endfor %}
    {%- for definition in definitions %}
        {%- do segment_rule_sql(definition.rule, definition.id, fields, flags) %}
    {%- endfor %}
{%- endif %}
with

definitions as (
    {%- for definition in definitions %}
    select
        {{ string_literal(definition.id) }} as segment_id,
        {{ string_literal(definition.name) }} as segment_name,
        {{ string_literal(definition.description) }} as segment_description,
        {{ string_literal(definition.owner) }} as segment_owner,
        {{ string_literal(definition.model) }} as segmentation_model,
        {{ string_literal(definition.type) }} as segment_type,
        cast({{ "'" ~ definition.created_on ~ "'" if definition.get('created_on') else 'null' }}
            as date) as created_on,
        {{ string_literal(definition.exclusive_group) if definition.get('exclusive_group')
            else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as exclusive_group,
        cast({{ definition.priority | int if definition.get('priority') is not none else 'null' }}
            as {{ dbt.type_int() }}) as exclusive_priority,
        cast({{ definition.min_size | int if definition.get('min_size') is not none else 'null' }}
            as {{ dbt.type_int() }}) as min_size,
        cast({{ definition.get('holdout_percent', var('segment_holdout_percent')) | float }}
            as double) as holdout_percent,
        {{ string_literal(segment_rule_text(definition.rule)) }} as rule_text
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as segment_id
    where 1 = 0
    {%- endfor %}
),

final as (
    select * from definitions
)

select * from final
