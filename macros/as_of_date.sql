{#- The build's reference date as a SQL date literal: var('as_of_date') (YYYY-MM-DD); when
    it is empty, the environment variable CUSTSEG_AS_OF_DATE (how custseg passes it); when
    that is empty too, today in UTC. Every time-relative computation uses this.
    The environment variable is read only when dbt executes: dbt re-parses every file that
    read a changed environment variable while parsing (and the whole project when --vars
    change), while the date plays no part in what parsing records (refs, configs). -#}
{% macro as_of_date() -%}
    cast('{{ as_of_date_text() }}' as date)
{%- endmacro %}

{#- The same date as text (YYYY-MM-DD), for compile-time comparisons. -#}
{% macro as_of_date_text() -%}
    {%- set configured = var('as_of_date', '') | string | trim -%}
    {%- if configured in ('', 'None', 'none') and execute -%}
        {%- set configured = env_var('CUSTSEG_AS_OF_DATE', '') | trim -%}
    {%- endif -%}
    {%- if configured in ('', 'None', 'none') -%}
        {%- set configured = modules.datetime.datetime.now(modules.pytz.utc).strftime('%Y-%m-%d') -%}
    {%- endif -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', configured) -%}
        {{ exceptions.raise_compiler_error(
            "var('as_of_date') must be a date written YYYY-MM-DD, got '" ~ configured ~ "'") }}
    {%- endif -%}
    {{ return(configured) }}
{%- endmacro %}
