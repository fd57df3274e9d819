{#- Where the raw data is read from: dispatched (DuckDB: a folder of landing files). -#}
{% macro raw_location() -%}
    {{ return(adapter.dispatch('raw_location', 'custseg')()) }}
{%- endmacro %}

{#- The landing folder as an absolute path without a trailing slash: var('raw_path'); when it
    is empty, the environment variable CUSTSEG_RAW_PATH (how custseg passes it, so that a new
    folder does not make dbt re-parse the project); when that is empty too, data/raw. A
    relative path is read from the dbt project directory, where dbt resolves it. -#}
{% macro duckdb__raw_location() -%}
    {%- set path = var('raw_path', '') | string | trim -%}
    {%- if path in ('', 'None', 'none') -%}
        {#- Read only when dbt executes (see as_of_date_text()). -#}
        {%- set path = (env_var('CUSTSEG_RAW_PATH', '') if execute else '') | trim or 'data/raw' -%}
    {%- endif -%}
    {%- if '://' in path -%}
        {{ return(path.rstrip('/')) }}
    {%- endif -%}
    {%- if not path.startswith('/') -%}
        {%- set base = flags.PROJECT_DIR or env_var('PWD', '') -%}
        {%- if not (base | string).startswith('/') -%}
            {%- set base = env_var('PWD', '') ~ '/' ~ (base or '') -%}
        {%- endif -%}
        {%- set path = base ~ '/' ~ path -%}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for part in path.split('/') if part not in ('', '.') -%}
        {%- if part == '..' -%}
            {%- if parts -%}
                {%- do parts.pop() -%}
            {%- endif -%}
        {%- else -%}
            {%- do parts.append(part) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('/' ~ parts | join('/')) }}
{%- endmacro %}

{#- Warehouse engines read raw tables from a schema. -#}
{% macro default__raw_location() -%}
    {{ return(target.type ~ ':' ~ (target.database or '') ~ '.' ~ var('raw_schema')) }}
{%- endmacro %}
