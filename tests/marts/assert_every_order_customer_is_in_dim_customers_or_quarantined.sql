-- Every raw order placed up to as_of_date either reaches a customer of dim_customers
-- through the identity map, or is in quarantine (an order naming an unknown customer is
-- quarantined as orphan:customers), or was erased with its customer. Returns the orders
-- whose customer is nowhere.
with

orders as (
    select
        order_id,
        customer_id,
        row_status
    from {{ ref('base_raw__orders') }}
    where row_status in ('staged', 'quarantined')
        and (ordered_at is null or ordered_at < {{ dbt.dateadd('day', 1, as_of_date()) }})
),

customer_ids as (
    select
        customer_id,
        surviving_customer_id
    from {{ ref('int_customer_ids_resolved') }}
),

customers as (
    select customer_id
    from {{ ref('dim_customers') }}
),

checked as (
    select
        orders.order_id,
        orders.customer_id,
        orders.row_status
    from orders
    left join customer_ids
        on orders.customer_id = customer_ids.customer_id
    left join customers
        on customer_ids.surviving_customer_id = customers.customer_id
    where customers.customer_id is null
        and orders.row_status <> 'quarantined'
)

select * from checked
