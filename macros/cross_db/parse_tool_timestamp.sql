{#- A tool export's timestamp text (strptime `format`, or a list of them tried in order,
    e.g. Shopify's '%Y-%m-%d %H:%M:%S %z' for 2025-10-07 09:50:26 +0200; without %z the
    time is UTC) as the contract's ISO-8601 UTC text (2025-10-07T07:50:26Z). Text in
    another shape passes unchanged, so that staging quarantines it as bad_type with the
    value as it landed. -#}
{% macro tool_timestamp(expr, format) -%}
    {{ return(adapter.dispatch('tool_timestamp', 'custseg')(expr, format)) }}
{%- endmacro %}

{% macro default__tool_timestamp(expr, format) -%}
    {#- Spark: the connectors read no files there (empty relations); keep the text -#}
    {{ expr }}
{%- endmacro %}

{% macro duckdb__tool_timestamp(expr, format) -%}
    {%- set formats = [format] if format is string else format -%}
    coalesce(
        strftime(
            {#- a time with an offset is a TIMESTAMPTZ (shown in the session's UTC), one
                without is UTC wall-clock time -#}
            try_strptime({{ expr }}, [
                {%- for f in formats %}'{{ f }}'{{ ', ' if not loop.last }}{% endfor -%}
            ]),
            '%Y-%m-%dT%H:%M:%SZ'
        ),
        {{ expr }}
    )
{%- endmacro %}
