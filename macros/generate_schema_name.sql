{#- Custom schemas are used as named (staging, intermediate, marts, seeds, restricted),
    so BI tools find `marts.dim_customers` on every target. Without one, the target's schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
