{#- True when `expr` matches the regular expression `pattern` (anchor it with ^...$ for a
    full match). Write patterns without backslashes ([.] for a dot): engines escape
    string literals differently. -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'custseg')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{% macro duckdb__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}
