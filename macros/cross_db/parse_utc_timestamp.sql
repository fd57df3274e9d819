{#- Parse an ISO-8601 string (with or without a UTC offset; without one it is UTC) into a
    timestamp holding UTC wall-clock time. Null when the string does not parse. -#}
{% macro parse_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'custseg')(expr)) }}
{%- endmacro %}

{#- Spark: the session time zone is UTC (profiles.yml), so timestamps display as UTC. -#}
{% macro default__parse_utc_timestamp(expr) -%}
    cast({{ expr }} as timestamp)
{%- endmacro %}

{% macro duckdb__parse_utc_timestamp(expr) -%}
    timezone('UTC', try_cast({{ expr }} as timestamptz))
{%- endmacro %}
