{#- Every row of the Shopify orders export reaches staging as one order line (staged,
    quarantined, a duplicate or erased): no export row is lost between the files and
    stg_raw__reconciliation. Returns the two counts when they differ. -#}
with

export_rows as (
    select count(*) as row_count
    from {{ ref('base_shopify__orders_export') }}
),

order_lines as (
    select coalesce(sum(duplicate_count + 1), 0) as row_count
    from {{ ref('base_raw__order_items') }}
    where record_source = 'shopify'
)

select
    export_rows.row_count as export_row_count,
    order_lines.row_count as order_line_count
from export_rows
cross join order_lines
where export_rows.row_count <> order_lines.row_count
