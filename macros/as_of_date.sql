{#- The build's reference date as a SQL date literal: var('as_of_date') (YYYY-MM-DD),
    or today in UTC when it is empty. Every time-relative computation uses this. -#}
{% macro as_of_date() -%}
    cast('{{ as_of_date_text() }}' as date)
{%- endmacro %}

{#- The same date as text (YYYY-MM-DD), for compile-time comparisons. -#}
{% macro as_of_date_text() -%}
    {%- set configured = var('as_of_date', '') | string | trim -%}
    {%- if configured in ('', 'None', 'none') -%}
        {%- set configured = modules.datetime.datetime.now(modules.pytz.utc).strftime('%Y-%m-%d') -%}
    {%- endif -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', configured) -%}
        {{ exceptions.raise_compiler_error(
            "var('as_of_date') must be a date written YYYY-MM-DD, got '" ~ configured ~ "'") }}
    {%- endif -%}
    {{ return(configured) }}
{%- endmacro %}
