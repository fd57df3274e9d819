{#- On a tool export's base model (base_<tool>__<export>: its rows as landed): every row of
    the export reaches staging as one row of raw contract table `table_name` from
    `record_source` (staged, superseded, quarantined, an exact copy or erased), so none is
    lost between the files and stg_raw__reconciliation. Returns the two counts when they
    differ. -#}
{% test export_rows_reach_staging(model, table_name, record_source) %}

with

export_rows as (
    select count(*) as row_count
    from {{ model }}
),

staged_rows as (
    select coalesce(sum(duplicate_count + 1), 0) as row_count
    from {{ ref('base_raw__' ~ table_name) }}
    where record_source = '{{ record_source }}'
)

select
    export_rows.row_count as export_row_count,
    staged_rows.row_count as staged_row_count
from export_rows
cross join staged_rows
where export_rows.row_count <> staged_rows.row_count

{% endtest %}
