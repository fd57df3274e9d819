{#- A multi-select survey answer ('b | a|a') as its distinct options, trimmed, lower-cased,
    sorted and joined by '|' ('a|b'); null when no option is left. Match one option with
    `contains('|' || answer || '|', '|option|')`. -#}
{% macro multiselect_answer(expr) -%}
    {{ return(adapter.dispatch('multiselect_answer', 'custseg')(expr)) }}
{%- endmacro %}

{% macro default__multiselect_answer(expr) -%}
    nullif(array_join(array_sort(array_distinct(filter(
        transform(split({{ expr }}, '[|]'), option -> lower(trim(option))),
        option -> option <> ''
    ))), '|'), '')
{%- endmacro %}

{% macro duckdb__multiselect_answer(expr) -%}
    nullif(array_to_string(list_sort(list_distinct(list_filter(
        list_transform(string_split({{ expr }}, '|'), option -> lower(trim(option))),
        option -> option <> ''
    ))), '|'), '')
{%- endmacro %}
