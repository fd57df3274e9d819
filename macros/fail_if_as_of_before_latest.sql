{#- For models that accumulate history across builds: stop with an error when this
    build's as_of_date is earlier than the latest date `relation` already holds in
    `date_column`. Call it only on incremental runs (the relation exists). -#}
{% macro fail_if_as_of_before_latest(relation, date_column, remedy) -%}
    {%- if execute -%}
        {%- set query = 'select cast(max(' ~ date_column ~ ') as ' ~ dbt.type_string()
            ~ ') from ' ~ relation -%}
        {%- set latest = run_query(query).columns[0].values()[0] -%}
        {%- if latest and (latest | string) > as_of_date_text() -%}
            {{ exceptions.raise_compiler_error(relation.identifier ~ ": as_of_date "
                ~ as_of_date_text() ~ " is earlier than " ~ latest ~ ", the latest date it "
                ~ "already holds; its history only moves forward. " ~ remedy) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
