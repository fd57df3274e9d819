{#- Incremental staging of one raw table (the base_raw__ models, DuckDB). A table whose
    landing is a folder of exports and daily deltas (raw_table_files) is staged again only
    for the keys its recent files hold, once the table exists; everything else is staged in
    full, as a full refresh does. Returns none for a full staging, else a dict with
      files  the landing files read again: every file modified since this table was last
             staged (its max(staged_at)), and every file whose name is dated within var
             incremental_lookback_days before as_of_date (late or re-delivered deltas)
      since  that last staging's time (UTC, 'YYYY-MM-DD HH:MM:SS').
    stage_raw_table reads it to select the rows to stage; the incremental strategy
    replace_staged_keys reads it to delete the rows they replace. Both run in the same model
    before the table changes, so they see the same answer. -#}
{% macro staging_delta(table_name) -%}
    {%- if not execute or target.type != 'duckdb' or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set landed = raw_table_files({'name': table_name}) -%}
    {%- if not landed.folder or tool_exports_feeding(table_name) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'staged_at' not in columns or 'staging_key' not in columns -%}
        {#- built by a version of this project without incremental staging -#}
        {{ return(none) }}
    {%- endif -%}
    {%- set since = run_query(
        "select strftime(max(staged_at), '%Y-%m-%d %H:%M:%S') from " ~ this
    ).columns[0].values()[0] -%}
    {%- if since is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set lookback = var('incremental_lookback_days') | int -%}
    {%- set first_day = (modules.datetime.datetime.strptime(as_of_date_text(), '%Y-%m-%d')
        - modules.datetime.timedelta(days=lookback)).strftime('%Y-%m-%d') -%}
    {%- set files = [] -%}
    {%- for file in landed.files -%}
        {%- set day = modules.re.match('^([0-9]{4}-[0-9]{2}-[0-9]{2})', file.rsplit('/', 1)[1]) -%}
        {%- if landed.modified[file] >= since or (day and day.group(1) > first_day) -%}
            {%- do files.append(file) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'files': files, 'since': since}) }}
{%- endmacro %}

{#- Incremental strategy of the base_raw__ models: with a staging_delta, delete the key
    groups staged again (the rows of the new relation whose row_status is null name them)
    and every erased row (stage_raw_table stages them all again), then insert the new
    relation's other rows; without one (a full export, or the table's first
    incremental build after an upgrade), replace every row, so keys that left a full export
    leave the table too. -#}
{% macro get_incremental_replace_staged_keys_sql(arg_dict) -%}
    {%- set delta = staging_delta(
        arg_dict['target_relation'].identifier.replace('base_raw__', '', 1)
    ) -%}
    {{ replace_marked_groups_sql(
        arg_dict, 'staging_key', 'row_status',
        "row_status = 'erased'" if delta is not none else 'true'
    ) }}
{%- endmacro %}
