{#- A select of one raw table's contract columns, every one as text (so CSV, Parquet and
    warehouse tables are parsed by the same rules), in contract order:
    - a missing optional table reads as an empty relation,
    - a missing optional column reads as nulls,
    - a missing required table or column stops the build, naming table, column and place.
    Columns not in the contract are ignored. -#}
{% macro select_raw_table(source_relation, spec, with_file=false) -%}
    {{ return(adapter.dispatch('select_raw_table', 'custseg')(source_relation, spec, with_file)) }}
{%- endmacro %}

{#- DuckDB reads the landing files raw_table_files() finds (<raw_path>/<table>.<raw_format>,
    or the folder <raw_path>/<table>/ of a full export and daily deltas). A CSV is split by
    var raw_csv_delimiter, or when it is auto by the delimiter DuckDB's sniffer finds (in a
    folder: in its first file). A folder's files are matched by column name (a later delta
    may add an optional column). with_file: add the column landing_file (the file a row
    came from; null for a single file), which incremental staging reads. -#}
{% macro duckdb__select_raw_table(source_relation, spec, with_file=false) -%}
    {%- set location = (source_relation.external or '') | string -%}
    {%- if not location or '(' in location -%}
        {#- A table in the database, or a reader call configured by the user. -#}
        {{ return(default__select_raw_table(source_relation, spec)) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(_raw_table_as_text(spec, none, none)) }}
    {%- endif -%}
    {%- set landed = raw_table_files(spec) -%}
    {%- if not landed.files -%}
        {{ return(_missing_raw_table(spec, landed.looked_at)) }}
    {%- endif -%}
    {%- set path = landed.files[0] -%}
    {%- if landed.files | length == 1 -%}
        {%- set files = string_literal(path) -%}
        {%- set options = '' -%}
    {%- else -%}
        {%- set quoted = [] -%}
        {%- for file in landed.files -%}
            {%- do quoted.append(string_literal(file)) -%}
        {%- endfor -%}
        {%- set files = '[' ~ quoted | join(', ') ~ ']' -%}
        {%- set options = ', union_by_name = true' -%}
    {%- endif -%}
    {%- if with_file and landed.folder -%}
        {%- set options = options ~ ', filename = true' -%}
    {%- endif -%}
    {%- set delimiter = none -%}
    {%- if path.endswith('.csv') or path.endswith('.csv.gz') -%}
        {%- set delimiter = _raw_csv_delimiter(path) -%}
        {%- set reader = "read_csv(" ~ files ~ ", header = true, delim = '"
            ~ delimiter | replace("'", "''") ~ "', quote = '\"', escape = '\"', "
            ~ "comment = '', all_varchar = true" ~ options ~ ")" -%}
    {%- else -%}
        {%- set reader = "read_parquet(" ~ files ~ options ~ ")" -%}
    {%- endif -%}
    {%- set present = run_query("describe select * from " ~ reader).columns[0].values() | list -%}
    {%- set looked_at = path if not landed.folder else path.rsplit('/', 1)[0] ~ '/' -%}
    {%- if with_file and landed.folder -%}
        {%- do present.remove('filename') -%}
        {%- set text = _raw_table_as_text(spec, present, reader, looked_at, delimiter) -%}
        {{ return(text | replace('\n    from ' ~ reader,
            ',\n        filename as landing_file\n    from ' ~ reader, 1)) }}
    {%- endif -%}
    {%- set text = _raw_table_as_text(spec, present, reader, looked_at, delimiter) -%}
    {%- if with_file -%}
        {{ return(text | replace('\n    from ' ~ reader,
            ',\n        cast(null as ' ~ dbt.type_string() ~ ') as landing_file\n    from '
            ~ reader, 1)) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}

{#- A raw table's landing files on DuckDB (spec: its raw_contract_spec, or {'name': table}),
    as custseg.landing.table_files finds them (a test keeps the two in step): a dict with
      files      <raw_path>/<table>.<fmt> (raw_format auto: .parquet, .csv or .csv.gz,
                 whichever exists; two of them stop the build), or the files of the folder
                 <raw_path>/<table>/ in one format, by name, without those whose name starts
                 with a date (YYYY-MM-DD: that day's delta) after as_of_date; empty: none
      folder     true for a folder
      modified   {file: its modification time, 'YYYY-MM-DD HH:MM:SS' UTC}
      looked_at  where the files were looked for. -#}
{% macro raw_table_files(spec) -%}
    {%- set formats = ['parquet', 'csv', 'csv.gz'] if raw_format() == 'auto'
        else [raw_format()] -%}
    {%- set stem = raw_location() ~ '/' ~ spec.name -%}
    {%- set candidates = [] -%}
    {%- for fmt in formats -%}
        {%- do candidates.append(stem ~ '.' ~ fmt) -%}
    {%- endfor -%}
    {%- set patterns = [] -%}
    {%- for pattern in candidates + [stem ~ '/*'] -%}
        {%- do patterns.append(string_literal(pattern)) -%}
    {%- endfor -%}
    {%- set listing = run_query(
        "select filename, strftime(timezone('UTC', last_modified), '%Y-%m-%d %H:%M:%S')"
        ~ " from read_blob([" ~ patterns | join(', ')
        ~ "]) order by filename"
    ).rows -%}
    {%- set modified = {} -%}
    {%- set single = [] -%}
    {%- set in_folder = [] -%}
    {%- for row in listing -%}
        {%- do modified.update({row[0]: row[1]}) -%}
        {%- if row[0] in candidates -%}
            {%- do single.append(row[0]) -%}
        {%- else -%}
            {%- set name = row[0].rsplit('/', 1)[1] -%}
            {%- set fmt = 'parquet' if name.endswith('.parquet') else 'csv.gz'
                if name.endswith('.csv.gz') else 'csv' if name.endswith('.csv') else none -%}
            {%- set day = modules.re.match('^([0-9]{4}-[0-9]{2}-[0-9]{2})', name) -%}
            {%- if fmt in formats and not (day and day.group(1) > as_of_date_text()) -%}
                {%- do in_folder.append((row[0], fmt)) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set folder = stem ~ '/' -%}
    {%- if single and in_folder -%}
        {{ exceptions.raise_compiler_error(
            "Raw table '" ~ spec.name ~ "': " ~ single[0].rsplit('/', 1)[1] ~ " and the folder "
            ~ spec.name ~ "/ are both in " ~ stem.rsplit('/', 1)[0] ~ ". Keep one: a full "
            ~ "export, or a folder of exports and deltas.") }}
    {%- endif -%}
    {%- set single = candidates | select('in', single) | list -%}
    {%- if single | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Raw table '" ~ spec.name ~ "': "
            ~ single | map('replace', stem.rsplit('/', 1)[0] ~ '/', '') | join(' and ')
            ~ " are both in " ~ stem.rsplit('/', 1)[0] ~ ". Keep one, or set var "
            ~ "raw_format (custseg: --raw-format) to the format to read.") }}
    {%- endif -%}
    {%- set folder_formats = in_folder | map(attribute=1) | unique | sort | list -%}
    {%- if folder_formats | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Raw table '" ~ spec.name ~ "': the folder " ~ folder ~ " holds "
            ~ folder_formats | join(' and ') ~ " files. Keep one format per table, or set var "
            ~ "raw_format (custseg: --raw-format) to the format to read.") }}
    {%- endif -%}
    {{ return({
        'files': single or in_folder | map(attribute=0) | list,
        'folder': not single and in_folder | length > 0,
        'modified': modified,
        'looked_at': "no file at " ~ candidates | join(', ') ~ " and no files in " ~ folder,
    }) }}
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
{% macro default__select_raw_table(source_relation, spec, with_file=false) -%}
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
    {%- if spec.required and not tool_exports_feeding(spec.name) -%}
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
