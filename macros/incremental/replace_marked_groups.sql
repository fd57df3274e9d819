{#- The project's incremental strategies (DuckDB) share one form: the model's new relation
    holds the rows to insert and, for each group of rows to replace, a marker row whose
    marker_column is null and whose group_column names the group. Delete the named groups
    (and the rows `also_delete` matches; every row when it is 'true'), then insert the
    relation's rows that are not markers. A marker names a group that may be gone for good:
    its rows are deleted and none is inserted. -#}
{% macro replace_marked_groups_sql(arg_dict, group_column, marker_column, also_delete=none) -%}
    {%- set target_relation = arg_dict['target_relation'] -%}
    {%- set temp_relation = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target_relation }}
    {%- if also_delete != 'true' %}
    where {{ group_column }} in (
        select {{ group_column }} from {{ temp_relation }} where {{ marker_column }} is null
    )
    {%- if also_delete %}
        or {{ also_delete }}
    {%- endif %}
    {%- endif %};
    insert into {{ target_relation }} ({{ columns }})
    select {{ columns }}
    from {{ temp_relation }}
    where {{ marker_column }} is not null
{%- endmacro %}

{#- int_customer_rfm_snapshots: replace the snapshot dates the model computed again or found
    stale (markers: customer_id null). -#}
{% macro get_incremental_replace_snapshots_sql(arg_dict) -%}
    {{ replace_marked_groups_sql(arg_dict, 'snapshot_date', 'customer_id') }}
{%- endmacro %}

{#- The build's start as a timestamp literal: when an incremental model's rows were written
    (staged_at of the base_raw__ models, computed_at of the RFM snapshots). -#}
{% macro run_started_at_literal() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
