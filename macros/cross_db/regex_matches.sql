{#- True when `expr` matches the regular expression `pattern` (anchor it with ^...$ for a
    full match). `pattern` is a literal, or with pattern_is_sql=true a SQL expression (a
    column of patterns). Write patterns without backslashes ([.] for a dot): engines escape
    string literals differently. -#}
{% macro regex_matches(expr, pattern, pattern_is_sql=false) -%}
    {%- set pattern_sql = pattern if pattern_is_sql else "'" ~ (pattern | replace("'", "''")) ~ "'" -%}
    {{ return(adapter.dispatch('regex_matches', 'custseg')(expr, pattern_sql)) }}
{%- endmacro %}

{% macro default__regex_matches(expr, pattern_sql) -%}
    ({{ expr }} rlike {{ pattern_sql }})
{%- endmacro %}

{% macro duckdb__regex_matches(expr, pattern_sql) -%}
    regexp_matches({{ expr }}, {{ pattern_sql }})
{%- endmacro %}
