{#- A select of one raw table's contract columns, every one as text (so CSV, Parquet and
    warehouse tables are parsed by the same rules), in contract order:
    - a missing optional table reads as an empty relation,
    - a missing optional column reads as nulls,
    - a missing required table or column stops the build, naming table, column and place.
    Columns not in the contract are ignored. -#}
{% macro select_raw_table(source_relation, spec) -%}
    {{ return(adapter.dispatch('select_raw_table', 'custseg')(source_relation, spec)) }}
{%- endmacro %}

{#- DuckDB reads the landing file named by the source's external_location,
    <raw_path>/<table>.<raw_format>: the two placeholders are filled in here, when the model
    runs (raw_location(), raw_format()), not when dbt parses the sources, so a build from
    another folder does not make dbt re-parse the project. raw_format auto:
    <table>.parquet, .csv or .csv.gz,
    whichever exists (two of them stop the build). A CSV is split by var
    raw_csv_delimiter, or when it is auto by the delimiter DuckDB's sniffer finds.
    custseg.landing applies the same rules in Python (gate 1, Spark); a test keeps them
    in step. -#}
{% macro duckdb__select_raw_table(source_relation, spec) -%}
    {%- set location = (source_relation.external or '') | string -%}
    {%- if not location or '(' in location -%}
        {#- A table in the database, or a reader call configured by the user. -#}
        {{ return(default__select_raw_table(source_relation, spec)) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(_raw_table_as_text(spec, none, none)) }}
    {%- endif -%}
    {%- set path = location.strip("'") | replace('<raw_path>', raw_location())
        | replace('<raw_format>', raw_format()) -%}
    {%- if path.endswith('.auto') -%}
        {%- set stem = path[:-5] -%}
        {%- set candidates = [stem ~ '.parquet', stem ~ '.csv', stem ~ '.csv.gz'] -%}
        {%- set found = [] -%}
        {%- for candidate in candidates -%}
            {%- if run_query("select count(*) from glob('" ~ candidate ~ "')")
                .columns[0].values()[0] > 0 -%}
                {%- do found.append(candidate) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if found | length > 1 -%}
            {{ exceptions.raise_compiler_error(
                "Raw table '" ~ spec.name ~ "': "
                ~ found | map('replace', stem.rsplit('/', 1)[0] ~ '/', '') | join(' and ')
                ~ " are both in " ~ stem.rsplit('/', 1)[0] ~ ". Keep one, or set var "
                ~ "raw_format (custseg: --raw-format) to the format to read.") }}
        {%- endif -%}
        {%- if not found -%}
            {{ return(_missing_raw_table(spec, "no file at " ~ candidates | join(', '))) }}
        {%- endif -%}
        {%- set path = found[0] -%}
    {%- endif -%}
    {%- set found = run_query("select count(*) from glob('" ~ path ~ "')").columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ return(_missing_raw_table(spec, "no file at " ~ path)) }}
    {%- endif -%}
    {%- set delimiter = none -%}
    {%- if path.endswith('.csv') or path.endswith('.csv.gz') -%}
        {%- set delimiter = _raw_csv_delimiter(path) -%}
        {%- set reader = "read_csv('" ~ path ~ "', header = true, delim = '"
            ~ delimiter | replace("'", "''") ~ "', quote = '\"', escape = '\"', "
            ~ "all_varchar = true)" -%}
    {%- else -%}
        {%- set reader = "read_parquet('" ~ path ~ "')" -%}
    {%- endif -%}
    {%- set present = run_query("describe select * from " ~ reader).columns[0].values() -%}
    {{ return(_raw_table_as_text(spec, present, reader, path, delimiter)) }}
{%- endmacro %}

{#- var raw_csv_delimiter, or when it is auto the delimiter of DuckDB's CSV sniffer (header,
    quote and escape '"'; comma for an empty file, where the sniffer has nothing to go by). -#}
{% macro _raw_csv_delimiter(path) -%}
    {%- set configured = var('raw_csv_delimiter', 'auto') | string -%}
    {%- if configured != 'auto' -%}
        {{ return(configured) }}
    {%- endif -%}
    {%- set size = run_query("select max(size) from read_blob('" ~ path ~ "')")
        .columns[0].values()[0] -%}
    {%- if not size -%}
        {{ return(',') }}
    {%- endif -%}
    {%- set sniffed = run_query("select Delimiter from sniff_csv('" ~ path ~ "', header = true, "
        ~ "all_varchar = true, quote = '\"', escape = '\"')").columns[0].values()[0] -%}
    {{ return(sniffed or ',') }}
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

{#- present: column names found in the raw table (none: the table is absent).
    delimiter: the CSV delimiter used (none: not a CSV file). -#}
{% macro _raw_table_as_text(spec, present, reader, looked_at=none, delimiter=none) -%}
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
            ~ missing_required | join(', ') ~ ". The raw contract requires them. "
            ~ _raw_header_hint(present, delimiter)) }}
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

{#- What the reader made of the header, worded as custseg.landing.header_hint: the columns
    read and, for CSV, the delimiter, how it was chosen, and the delimiter the file seems
    to use when the whole header read as one column. A first line holding values (no
    header row) is not quoted: it is data. -#}
{% macro _raw_header_hint(present, delimiter) -%}
    {%- set columns = present | list -%}
    {%- for column in columns -%}
        {%- for field in modules.re.split('[,;\t|]', column) -%}
            {%- if field | trim and modules.re.fullmatch(
                '[0-9][0-9+\\-.,:/ TZ]*|.*@.*', field | trim) -%}
                {{ return("The first line"
                    ~ ("" if delimiter is none else " (delimiter "
                        ~ _raw_delimiter_shown(delimiter) ~ ")")
                    ~ " holds values such as numbers, dates or email addresses, not column"
                    ~ " names (not shown): is the header row missing?") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set quoted = [] -%}
    {%- for name in columns[:8] -%}
        {%- do quoted.append("'" ~ name ~ "'") -%}
    {%- endfor -%}
    {%- set shown = quoted | join(', ')
        ~ (', ... (' ~ columns | length ~ ' in all)' if columns | length > 8 else '') -%}
    {%- set noun = 'column' if columns | length == 1 else 'columns' -%}
    {%- if delimiter is none -%}
        {{ return("The file has " ~ columns | length ~ " " ~ noun ~ ": " ~ shown ~ ".") }}
    {%- endif -%}
    {%- set configured = var('raw_csv_delimiter', 'auto') | string -%}
    {%- set how = 'detected' if configured == 'auto' else 'var raw_csv_delimiter' -%}
    {%- set hint = "Read the header as " ~ columns | length ~ " " ~ noun ~ " " ~ shown
        ~ " with delimiter " ~ _raw_delimiter_shown(delimiter) ~ " (" ~ how ~ ")." -%}
    {%- if columns | length == 1 -%}
        {%- for candidate in [',', ';', '\t', '|']
            if candidate != delimiter and candidate in columns[0] -%}
            {%- if loop.first -%}
                {%- set hint = hint ~ " The file looks " ~ _raw_delimiter_shown(candidate)
                    ~ "-separated: set var raw_csv_delimiter to "
                    ~ _raw_delimiter_shown(candidate) ~ ", or to auto." -%}
                {{ return(hint) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(hint) }}
{%- endmacro %}

{% macro _raw_delimiter_shown(delimiter) -%}
    {{ return('tab' if delimiter == '\t' else "'" ~ delimiter ~ "'") }}
{%- endmacro %}
