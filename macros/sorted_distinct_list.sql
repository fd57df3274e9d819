{#- Aggregate: the distinct non-null values of `expression`, sorted, joined with '|'
    (the multi-valued format segment rules read with contains / contains_any). -#}
{% macro sorted_distinct_list(expression) -%}
    {{ return(adapter.dispatch('sorted_distinct_list', 'custseg')(expression)) }}
{%- endmacro %}

{% macro default__sorted_distinct_list(expression) -%}
    string_agg(distinct {{ expression }}, '|' order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_distinct_list(expression) -%}
    nullif(array_join(array_sort(collect_set({{ expression }})), '|'), '')
{%- endmacro %}
