{#- Override of dbt-spark's seed loader. dbt-spark's session connection substitutes seed
    values into the SQL wrapped in quotes but unescaped, so a value with an apostrophe
    ("Can't Lose Them" in seed rfm_segments) breaks the insert. This renders every value
    as an escaped Spark literal instead (macro string_literal).
    Same batches and casts as dbt-spark's own macro. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    cast({{ _spark_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 %}{% do statements.append(sql) %}{% endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{% macro _spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        {{ string_literal(value) }}
    {%- endif -%}
{%- endmacro %}
