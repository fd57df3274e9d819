{#- The surviving customers a build as of as_of_date knows: created by then, or with an
    order by then (an order proves the customer existed whatever the CRM says). Every
    customer-grain mart starts from this population, so none lists someone the build's
    date could not have known. -#}
{#- A table: two models and four tests read it. -#}
{{ config(materialized='table') }}
with

customers as (
    select
        customer_id,
        created_at
    from {{ ref('int_customers_merged') }}
),

order_history as (
    select customer_id
    from {{ ref('int_customers_order_history') }}
),

final as (
    select customers.customer_id
    from customers
    left join order_history
        on customers.customer_id = order_history.customer_id
    where
        customers.created_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
        or order_history.customer_id is not null
)

select * from final
