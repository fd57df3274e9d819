{#- Line counts and quantities per order, from the staged order items. -#}
with

order_items as (
    select
        order_id,
        quantity,
        unit_price
    from {{ ref('stg_raw__order_items') }}
),

aggregated as (
    select
        order_id,
        count(*) as line_count,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as item_quantity,
        max(quantity) as largest_line_quantity,
        sum(quantity * unit_price) as items_subtotal
    from order_items
    group by order_id
)

select * from aggregated
