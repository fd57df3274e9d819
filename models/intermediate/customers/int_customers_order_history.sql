{#- Per surviving customer with orders up to as_of_date: purchase history (valid purchases
    only) and the situational facts of the last one: its delivery speed and channel, the
    category of its largest line (by reporting amount; ties: first line), and the largest
    quantity in one purchase over the last 90 days (as_of_date included), and the share of
    valid purchases made with a discount or coupon. Orders without an FX rate count like any
    other (int_orders_enriched keeps them); unconverted_purchase_count says how many valid purchases
    have no reporting amount. -#}
{#- A table: three models and two tests read it. -#}
{{ config(materialized='table') }}
with

orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        ordered_date,
        is_valid_purchase,
        item_quantity,
        channel,
        delivery_speed,
        fx_status = 'missing_fx_rate' as is_unconverted,
        {#- a discount is a discount in any currency #}
        discount_total_original_currency > 0 or has_coupon as is_discounted
    from {{ ref('int_orders_enriched') }}
),

order_items as (
    select
        order_id,
        line_number,
        category,
        line_total_reporting
    from {{ ref('int_order_items_enriched') }}
),

purchases as (
    select
        customer_id,
        count(*) as order_count,
        count(case when is_valid_purchase then 1 end) as purchase_count,
        min(case when is_valid_purchase then ordered_date end) as first_purchase_date,
        max(case when is_valid_purchase then ordered_date end) as last_purchase_date,
        count(case when is_valid_purchase and is_discounted then 1 end)
            as discounted_purchase_count,
        count(case when is_valid_purchase and is_unconverted then 1 end)
            as unconverted_purchase_count,
        max(
            case
                when is_valid_purchase and ordered_date > {{ days_before_as_of(90) }}
                    then item_quantity
            end
        ) as largest_purchase_quantity_90d
    from orders
    group by customer_id
),

last_purchases as (
    select
        order_id,
        customer_id,
        channel,
        delivery_speed
    from (
        select
            order_id,
            customer_id,
            channel,
            delivery_speed,
            row_number() over (
                partition by customer_id
                order by ordered_at desc, order_id desc
            ) as recency_rank
        from orders
        where is_valid_purchase
    ) as ranked_purchases
    where recency_rank = 1
),

last_purchase_lines as (
    select
        order_id,
        category
    from (
        select
            order_items.order_id,
            order_items.category,
            row_number() over (
                partition by order_items.order_id
                order by order_items.line_total_reporting desc, order_items.line_number asc
            ) as line_rank
        from order_items
        inner join last_purchases
            on order_items.order_id = last_purchases.order_id
        where order_items.category is not null
    ) as ranked_lines
    where line_rank = 1
),

final as (
    select
        purchases.customer_id,
        cast(purchases.order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(purchases.purchase_count as {{ dbt.type_bigint() }}) as purchase_count,
        purchases.first_purchase_date,
        purchases.last_purchase_date,
        last_purchases.delivery_speed as last_purchase_delivery_speed,
        last_purchases.channel as last_purchase_channel,
        last_purchase_lines.category as last_purchase_category,
        cast(purchases.largest_purchase_quantity_90d as {{ dbt.type_bigint() }})
            as largest_purchase_quantity_90d,
        cast(
            purchases.discounted_purchase_count * 1.0 / nullif(purchases.purchase_count, 0)
            as decimal(5, 4)
        ) as discounted_purchase_share,
        cast(purchases.unconverted_purchase_count as {{ dbt.type_bigint() }})
            as unconverted_purchase_count
    from purchases
    left join last_purchases
        on purchases.customer_id = last_purchases.customer_id
    left join last_purchase_lines
        on last_purchases.order_id = last_purchase_lines.order_id
)

select * from final
