{#- A JSON object string of the given columns (keys = column names), for keeping a raw
    record verbatim in quarantine. -#}
{% macro json_object(columns) -%}
    {{ return(adapter.dispatch('json_object', 'custseg')(columns)) }}
{%- endmacro %}

{% macro default__json_object(columns) -%}
    {#- nulls written as on DuckDB ({"phone":null}); Spark drops null fields by default #}
    to_json(named_struct(
        {%- for column in columns %}'{{ column }}', {{ column }}{{ ', ' if not loop.last }}{% endfor -%}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}

{% macro duckdb__json_object(columns) -%}
    cast(to_json(struct_pack(
        {%- for column in columns %}"{{ column }}" := {{ column }}{{ ', ' if not loop.last }}{% endfor -%}
    )) as varchar)
{%- endmacro %}
