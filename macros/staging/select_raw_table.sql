{#- A select of one raw table's contract columns, every one as text (so CSV, Parquet and
    warehouse tables are parsed by the same rules), in contract order:
    - a missing optional table reads as an empty relation,
    - a missing optional column reads as nulls,
    - a missing required table or column stops the build, naming table, column and place.
    Columns not in the contract are ignored. -#}
{% macro select_raw_table(source_relation, spec) -%}
    {{ return(adapter.dispatch('select_raw_table', 'custseg')(source_relation, spec)) }}
{%- endmacro %}

{#- DuckDB reads the landing file named by the source's external_location. -#}
{% macro duckdb__select_raw_table(source_relation, spec) -%}
    {%- set location = (source_relation.external or '') | string -%}
    {%- if not location or '(' in location -%}
        {#- A table in the database, or a reader call configured by the user. -#}
        {{ return(default__select_raw_table(source_relation, spec)) }}
    {%- endif -%}
    {%- set path = location.strip("'") -%}
    {%- if not execute -%}
        {{ return(_raw_table_as_text(spec, none, none)) }}
    {%- endif -%}
    {%- set found = run_query("select count(*) from glob('" ~ path ~ "')").columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ return(_missing_raw_table(spec, "no file at " ~ path)) }}
    {%- endif -%}
    {%- if path.endswith('.csv') or path.endswith('.csv.gz') -%}
        {%- set reader = "read_csv('" ~ path ~ "', header = true, delim = ',', quote = '\"', "
            ~ "escape = '\"', all_varchar = true)" -%}
    {%- else -%}
        {%- set reader = "read_parquet('" ~ path ~ "')" -%}
    {%- endif -%}
    {%- set present = run_query("describe select * from " ~ reader).columns[0].values() -%}
    {{ return(_raw_table_as_text(spec, present, reader, path)) }}
{%- endmacro %}

{#- Warehouse engines (Spark, ...): a table named like the source in raw_schema. -#}
{% macro default__select_raw_table(source_relation, spec) -%}
    {%- if not execute -%}
        {{ return(_raw_table_as_text(spec, none, none)) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=source_relation.database,
        schema=source_relation.schema,
        identifier=source_relation.identifier) -%}
    {%- if relation is none -%}
        {{ return(_missing_raw_table(spec, "no table " ~ source_relation)) }}
    {%- endif -%}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {{ return(_raw_table_as_text(spec, present, relation, source_relation | string)) }}
{%- endmacro %}

{% macro _missing_raw_table(spec, looked_at) -%}
    {%- if spec.required -%}
        {{ exceptions.raise_compiler_error(
            "Raw table '" ~ spec.name ~ "' is missing (" ~ looked_at ~ "). The raw contract "
            ~ "requires it; check var raw_path / raw_format (or raw_schema on warehouse engines).") }}
    {%- endif -%}
    {{ return(_raw_table_as_text(spec, none, none)) }}
{%- endmacro %}

{#- present: column names found in the raw table (none: the table is absent). -#}
{% macro _raw_table_as_text(spec, present, reader, looked_at=none) -%}
    {%- set by_lower_name = {} -%}
    {%- for name in (present or []) -%}
        {%- do by_lower_name.update({name | lower | trim: name}) -%}
    {%- endfor -%}
    {%- set missing_required = [] -%}
    {%- if present is not none -%}
        {%- for column in spec.columns
            if column.required and column.name not in by_lower_name -%}
            {%- do missing_required.append(column.name ~ " (" ~ column.type ~ ")") -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if missing_required -%}
        {{ exceptions.raise_compiler_error(
            "Raw table '" ~ spec.name ~ "' (" ~ looked_at ~ ") lacks required column(s) "
            ~ missing_required | join(', ') ~ ". The raw contract requires them.") }}
    {%- endif -%}
    select
    {%- for column in spec.columns %}
        {% if column.name in by_lower_name -%}
        cast({{ adapter.quote(by_lower_name[column.name]) }} as {{ dbt.type_string() }})
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as {{ column.name }}{{ ',' if not loop.last }}
    {%- endfor %}
    {% if present is none -%}
    where 1 = 0
    {%- else -%}
    from {{ reader }}
    {%- endif -%}
{%- endmacro %}
