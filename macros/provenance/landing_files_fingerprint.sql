{#- The landing files this build reads, for audit: a dict with file_count, bytes,
    modified_at (the newest file's modification time), listing (one "name size mtime" per
    file, by name) and fingerprint (md5 of the listing). Metadata only: no file is read,
    so the fingerprint changes when a file is added, removed, resized or rewritten.
    Dispatched: DuckDB lists the contract tables' files in raw_path; engines that read raw
    tables from a schema return nones. Call it at execution time only. -#}
{% macro landing_files_fingerprint() -%}
    {{ return(adapter.dispatch('landing_files_fingerprint', 'custseg')()) }}
{%- endmacro %}

{% macro duckdb__landing_files_fingerprint() -%}
    {%- set folder = raw_location() -%}
    {%- set names = [] -%}
    {%- for table_name in raw_table_names() -%}
        {%- do names.append(string_literal(table_name)) -%}
    {%- endfor -%}
    {#- read_blob without its content column reads no file content (projection pushdown). -#}
    {%- set query -%}
        with

        landing_files as (
            select
                parse_filename(filename) as file_name,
                size as file_bytes,
                last_modified as modified_at
            from read_blob({{ string_literal(folder ~ '/*') }})
            where split_part(parse_filename(filename), '.', 1) in ({{ names | join(', ') }})
            union all
            {#- a table's folder of exports and deltas: its files, named <table>/<file> #}
            select
                parse_filename(parse_dirpath(filename)) || '/' || parse_filename(filename),
                size,
                last_modified
            from read_blob({{ string_literal(folder ~ '/*/*') }})
            where parse_filename(parse_dirpath(filename)) in ({{ names | join(', ') }})
        ),

        listed as (
            select
                count(*) as file_count,
                sum(file_bytes) as total_bytes,
                max(modified_at) as newest_modified_at,
                string_agg(
                    file_name || ' ' || file_bytes || ' '
                    || strftime(modified_at, '%Y-%m-%dT%H:%M:%S'),
                    '; ' order by file_name
                ) as listing
            from landing_files
        )

        select
            file_count,
            total_bytes,
            strftime(newest_modified_at, '%Y-%m-%d %H:%M:%S') as newest_modified_at,
            listing,
            md5(listing) as fingerprint
        from listed
    {%- endset -%}
    {%- set found = run_query(
        'select count(*) from read_blob([' ~ string_literal(folder ~ '/*') ~ ', '
        ~ string_literal(folder ~ '/*/*') ~ '])'
    ).columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ return({'file_count': 0, 'bytes': 0, 'modified_at': none, 'listing': none,
                   'fingerprint': none}) }}
    {%- endif -%}
    {%- set row = run_query(query).rows[0] -%}
    {{ return({'file_count': row[0], 'bytes': row[1], 'modified_at': row[2],
               'listing': row[3], 'fingerprint': row[4]}) }}
{%- endmacro %}

{% macro default__landing_files_fingerprint() -%}
    {{ return({'file_count': none, 'bytes': none, 'modified_at': none, 'listing': none,
               'fingerprint': none}) }}
{%- endmacro %}
