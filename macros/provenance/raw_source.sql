{#- The raw data this build reads, as the text that identifies it in marts.warehouse_builds:
    var('raw_source_name') when the user names the source, else its location (DuckDB: the
    absolute landing folder; other engines: the raw schema). Two builds whose raw_source
    differs read different data sets and must not share one warehouse's history. -#}
{% macro raw_source() -%}
    {%- set named = var('raw_source_name', '') | string | trim -%}
    {%- if named not in ('', 'None', 'none') -%}
        {{ return(named) }}
    {%- endif -%}
    {{ return(raw_location()) }}
{%- endmacro %}
