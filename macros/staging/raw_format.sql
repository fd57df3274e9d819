{#- The landing files' format: var raw_format; when it is empty, the environment variable
    CUSTSEG_RAW_FORMAT (read only when dbt executes, see as_of_date_text()); else auto. -#}
{% macro raw_format() -%}
    {%- set configured = var('raw_format', '') | string | trim -%}
    {%- if configured in ('', 'None', 'none') and execute -%}
        {%- set configured = env_var('CUSTSEG_RAW_FORMAT', '') | trim -%}
    {%- endif -%}
    {{ return(configured if configured not in ('', 'None', 'none') else 'auto') }}
{%- endmacro %}
