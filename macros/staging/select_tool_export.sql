{#- A select of one tool export (models/staging/connectors/_connectors__sources.yml) as it
    landed: every listed column as text under a snake_case name (`Lineitem quantity` ->
    lineitem_quantity), plus export_file (the file), export_row (the row's position in the
    files, read in name order and single-threaded so that rows keep the file's order) and
    file_row (its position in its file: 1 is the first row after the header line).
    No comment lines (comment = ''): DuckDB's sniffer takes Shopify's order names (#1001)
    for comments otherwise and drops those rows. Headers are matched ignoring case and
    surrounding blanks; a listed column that is absent reads as null; a required one stops
    the build, naming file and column. No file: an empty relation.
    An export whose meta says `unlisted_columns: unpivot` (Qualtrics: one column per
    question, whatever the survey asks) has one row per row and unlisted column instead:
    column_name (as in the header) and column_value (text; null when empty). -#}
{% macro select_tool_export(source_relation) -%}
    {%- set export = tool_export(source_relation) -%}
    {%- set unpivot = export.unlisted_columns == 'unpivot' -%}
    {#- only DuckDB reads landing files; elsewhere the export is empty (not yet loaded) -#}
    {%- set files = tool_export_files(export) if execute and target.type == 'duckdb' else [] -%}
    {%- if not files -%}
        {%- set empty = [] -%}
        {%- for column in export.columns -%}
            {%- do empty.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ column.alias) -%}
        {%- endfor -%}
        {%- do empty.append('cast(null as ' ~ dbt.type_string() ~ ') as export_file') -%}
        {%- do empty.append('cast(null as ' ~ dbt.type_bigint() ~ ') as export_row') -%}
        {%- do empty.append('cast(null as ' ~ dbt.type_bigint() ~ ') as file_row') -%}
        {%- if unpivot -%}
            {%- do empty.append('cast(null as ' ~ dbt.type_string() ~ ') as column_name') -%}
            {%- do empty.append('cast(null as ' ~ dbt.type_string() ~ ') as column_value') -%}
        {%- endif -%}
        {{ return('select ' ~ empty | join(', ') ~ ' where false') }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for file in files -%}
        {%- do quoted.append(string_literal(file)) -%}
    {%- endfor -%}
    {#- one delimiter for the export's files: detected (an export saved again by a German
        Excel has semicolons) or var raw_csv_delimiter, as for the contract's files -#}
    {%- set delimiters = {} -%}
    {%- for file in files -%}
        {%- do delimiters.update({file: _raw_csv_delimiter(file)}) -%}
    {%- endfor -%}
    {%- if delimiters.values() | unique | list | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "The " ~ export.label ~ "'s files have different delimiters ("
            ~ delimiters.items() | map('join', ': ') | join(', ') ~ "): save them again "
            ~ "with one.") }}
    {%- endif -%}
    {%- set delimiter = delimiters[files[0]] -%}
    {%- set reader = "read_csv([" ~ quoted | join(', ') ~ "], header = true, all_varchar = true, "
        ~ "delim = " ~ string_literal(delimiter) ~ ", "
        ~ "quote = '\"', escape = '\"', comment = '', union_by_name = true, filename = true, "
        ~ "parallel = false)" -%}
    {%- set present = {} -%}
    {%- for name in run_query("describe select * from " ~ reader).columns[0].values() -%}
        {%- do present.update({name | lower | trim: name}) -%}
    {%- endfor -%}
    {%- for column in export.columns if column.required and column.name | lower not in present -%}
        {{ exceptions.raise_compiler_error(
            "Column '" ~ column.name ~ "' is missing from the " ~ export.label ~ " ("
            ~ files | join(', ') ~ "): the export is unusable without it. Export again with "
            ~ "this column, or remove the file.") }}
    {%- endfor -%}
    {%- set listed = export.columns | map(attribute='name') | map('lower') | list -%}
    {%- set unlisted = [] -%}
    {%- for key, name in present.items() if key not in listed and key != 'filename' -%}
        {%- do unlisted.append(name) -%}
    {%- endfor %}
    {%- set numbered %}
    select
        numbered.*,
        numbered.export_row - min(numbered.export_row) over (
            partition by numbered.export_file
        ) + 1 as file_row
    from (
        select
            {%- for column in export.columns %}
            {%- if column.name | lower in present %}
            nullif(trim("{{ present[column.name | lower] }}"), '') as {{ column.alias }},
            {%- else %}
            cast(null as {{ dbt.type_string() }}) as {{ column.alias }},
            {%- endif %}
            {%- endfor %}
            {%- if unpivot %}
            {%- for name in unlisted %}
            {#- empty, not null: unpivot leaves out nulls, and every cell is accounted for #}
            coalesce(trim("{{ name }}"), '') as "{{ name }}",
            {%- endfor %}
            {%- endif %}
            filename as export_file,
            row_number() over () as export_row
        from {{ reader }}
    ) as numbered
    {%- endset %}
    {%- if unpivot and unlisted %}
    select
        {%- for column in export.columns %}
        {{ column.alias }},
        {%- endfor %}
        export_file,
        export_row,
        file_row,
        column_name,
        nullif(column_value, '') as column_value
    from (
        unpivot ({{ numbered | indent(8) }}
        )
        on {% for name in unlisted %}"{{ name }}"{{ ', ' if not loop.last }}{% endfor %}
        into name column_name value column_value
    )
    {%- elif unpivot %}
    select
        *,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as column_value
    from ({{ numbered | indent(4) }}
    )
    {%- else %}
    {{ numbered }}
    {%- endif %}
{%- endmacro %}

{#- One tool export's definition from the connectors' sources (the source's schema is the
    tool's name): label, folder, files (the file-name pattern), feeds, and columns (name,
    alias, required). -#}
{% macro tool_export(source_relation) -%}
    {%- set node_id = 'source.' ~ project_name ~ '.' ~ source_relation.schema ~ '.'
        ~ source_relation.identifier -%}
    {%- if not execute or node_id not in graph.sources -%}
        {{ return({'label': source_relation.schema ~ ' ' ~ source_relation.identifier,
            'folder': source_relation.schema, 'files': none, 'feeds': [],
            'unlisted_columns': 'ignore', 'columns': []}) }}
    {%- endif -%}
    {%- set node = graph.sources[node_id] -%}
    {%- set meta = node.config.meta if node.config.meta else node.meta -%}
    {%- set source_meta = node.source_meta or {} -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set column_meta = column.config.meta if (column.config and column.config.meta)
            else column.meta -%}
        {%- do columns.append({
            'name': column.name,
            'alias': modules.re.sub('[^a-z0-9]+', '_', column.name | lower).strip('_'),
            'required': column_meta.required | default(false),
        }) -%}
    {%- endfor -%}
    {{ return({
        'label': node.source_name ~ ' ' ~ node.name | replace('_', ' '),
        'folder': source_meta.folder | default(node.source_name),
        'files': meta.files,
        'feeds': meta.feeds | default([]),
        'unlisted_columns': meta.unlisted_columns | default('ignore'),
        'columns': columns,
    }) }}
{%- endmacro %}

{#- The files of one tool export: <raw_path>/<folder>/<files pattern>, in name order. -#}
{% macro tool_export_files(export) -%}
    {%- set pattern = raw_location() ~ '/' ~ export.folder ~ '/' ~ export.files -%}
    {{ return(run_query(
        "select file from glob(" ~ string_literal(pattern) ~ ") order by file"
    ).columns[0].values() | list) }}
{%- endmacro %}

{#- The tool exports (their labels) that feed raw contract table `table_name` and have files
    in the landing folder: such a table may lack its own file, and is staged whole. -#}
{% macro tool_exports_feeding(table_name) -%}
    {%- set found = [] -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- for node in graph.sources.values() -%}
            {%- set meta = node.config.meta if node.config.meta else node.meta -%}
            {%- if table_name in (meta.feeds or []) -%}
                {%- set export = tool_export(api.Relation.create(
                    schema=node.schema, identifier=node.identifier)) -%}
                {%- if tool_export_files(export) -%}
                    {%- do found.append(export.label) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}


{#- `union all` of the rows the mapping models `connectors` wrote for raw contract table
    `spec` (every contract column in contract order, then record_source: macro
    contract_rows), appended to a select of the landing files' rows with the same columns:
    staging (with_source: record_source; with_file: a null landing_file) and the erasure
    models, which look up the people to erase in every source. -#}
{% macro tool_rows_union(spec, connectors, with_source=false, with_file=false) -%}
    {%- for connector in connectors %}
    union all
    select
        {{ spec.columns | map(attribute='name') | join(', ') }}
        {%- if with_file %},
        cast(null as {{ dbt.type_string() }}) as landing_file
        {%- endif %}
        {%- if with_source %},
        record_source
        {%- endif %}
    from {{ connector }}
    {%- endfor %}
{%- endmacro %}

{#- The end of a mapping model: the rows of `relation` as raw contract `table_name` rows,
    every contract column in contract order as text (the ones `relation` does not map, in
    `mapped`, are null), then record_source (the tool) and any `extra` columns. -#}
{% macro contract_rows(table_name, relation, mapped, tool, extra=[]) -%}
    {#- not source(): a mapping reads the tool's files, not the contract table's -#}
    {%- set spec = raw_contract_spec(api.Relation.create(identifier=table_name)) -%}
    select
        {%- for column in spec.columns %}
        {{ column.name if column.name in mapped else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as {{ column.name }},
        {%- endfor %}
        '{{ tool }}' as record_source
        {%- for column in extra %},
        {{ column }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{#- Every raw row of contract table `table_name`: its landing files' and the rows of its
    tool mappings (the erasure models find people in every source). -#}
{% macro select_raw_and_tool_rows(table_name) -%}
    {%- set source_relation = source('raw', table_name) -%}
    {%- set spec = raw_contract_spec(source_relation) -%}
    select landed.*
    from (
        {{ select_raw_table(source_relation, spec) | indent(8) }}
    ) as landed
    {{- tool_rows_union(spec, tool_mappings(table_name)) }}
{%- endmacro %}

{#- The mapping models (relations) that write raw contract table `table_name`'s rows from
    tool exports (no table: every mapping); staging (base_raw__<table>), the erasure models
    and the raw freshness tests read them. One list,
    so that a new mapping reaches staging and erasure alike. Static refs: dbt sees them
    when it parses the calling model. -#}
{% macro tool_mappings(table_name=none) -%}
    {%- set names = {
        'customers': [
            'stg_shopify__customers', 'stg_hubspot__contacts', 'stg_mailchimp__customers',
            'stg_qualtrics__respondents',
        ],
        'orders': ['stg_shopify__orders'],
        'order_items': ['stg_shopify__order_lines'],
        'products': ['stg_shopify__products'],
        'consents': ['stg_shopify__consents', 'stg_mailchimp__consents'],
        'email_events': ['stg_mailchimp__email_events'],
        'survey_responses': ['stg_qualtrics__responses'],
    } -%}
    {%- set relations = [] -%}
    {%- set wanted = names[table_name] if table_name in names
        else ([] if table_name is not none else names.values() | sum(start=[])) -%}
    {%- for name in wanted -%}
        {%- do relations.append(ref(name)) -%}
    {%- endfor -%}
    {{ return(relations) }}
{%- endmacro %}
