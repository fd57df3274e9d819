{#- Ephemeral on purpose: erased identifiers are never stored in any relation.
    The order_ids of every raw order (any version, valid or not) of an erased customer, so
    that their order lines vanish too. -#}
{{ config(materialized='ephemeral') }}

with

orders as (
    {{ select_raw_and_tool_rows('orders') | indent(4) }}
),

erased_customers as (
    select erased_key as customer_id
    from {{ ref('base_raw__erased_customer_ids') }}
),

final as (
    select distinct nullif(trim(orders.order_id), '') as erased_key
    from orders
    inner join erased_customers
        on nullif(trim(orders.customer_id), '') = erased_customers.customer_id
    where nullif(trim(orders.order_id), '') is not null
)

select * from final
