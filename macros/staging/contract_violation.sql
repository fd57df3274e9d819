{#- The first contract violation of one row, in contract column order, or null. Per column:
    missing_required, bad_type, bad_value (accepted values or pattern), out_of_range.
    Expects `<column>` (raw text) and `<column>__value` (parsed value). -#}
{% macro contract_violation(columns) -%}
    coalesce(
    {%- for column in columns %}
        {%- set name = column.name ~ '__value' %}
        {%- set text = "nullif(trim(" ~ column.name ~ "), '')" %}
        {%- if column.required %}
        case when {{ text }} is null then 'missing_required:{{ column.name }}' end,
        {%- endif %}
        {%- if column.type != 'string' %}
        case when {{ text }} is not null and {{ name }} is null then 'bad_type:{{ column.name }}' end,
        {%- endif %}
        {%- if column['values'] %}
        case when {{ name }} not in ('{{ column['values'] | join("', '") }}') then 'bad_value:{{ column.name }}' end,
        {%- endif %}
        {%- if column.pattern %}
        case when not {{ regex_matches(name, column.pattern) }} then 'bad_value:{{ column.name }}' end,
        {%- endif %}
        {%- set bounds = [] %}
        {%- if column['min'] is not none %}{% do bounds.append(name ~ ' < ' ~ column['min']) %}{% endif %}
        {%- if column['max'] is not none %}{% do bounds.append(name ~ ' > ' ~ column['max']) %}{% endif %}
        {%- if column['gt'] is not none %}{% do bounds.append(name ~ ' <= ' ~ column['gt']) %}{% endif %}
        {%- if bounds %}
        case when {{ bounds | join(' or ') }} then 'out_of_range:{{ column.name }}' end,
        {%- endif %}
    {%- endfor %}
        cast(null as {{ dbt.type_string() }})
    )
{%- endmacro %}
