{#- One row per order up to as_of_date, attributed to the surviving customer (merged
    contacts follow their survivor; erased people are absent), amounts in the reporting
    currency. A valid purchase is status paid, shipped or completed. An order whose
    currency has no FX rate on or before its date stays, as a purchase like any other,
    with fx_status 'missing_fx_rate' and null reporting amounts (never 0): it counts for
    recency, frequency and lifecycle, not for money.
    A table: fct_orders publishes it, and the order lines, the purchase history, RFM and
    CLV summaries read it. -#}
{{ config(materialized='table') }}
with

orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        status,
        currency,
        channel,
        device_type,
        delivery_speed,
        coupon_code
    from {{ ref('stg_raw__orders') }}
    where ordered_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

customer_ids as (
    select
        customer_id,
        surviving_customer_id
    from {{ ref('int_customer_ids_resolved') }}
),

converted as (
    select
        order_id,
        has_fx_rate,
        fx_status,
        rate_to_reporting,
        order_total,
        discount_total,
        order_total_reporting,
        discount_total_reporting,
        shipping_total_reporting
    from {{ ref('int_orders_converted_to_reporting_currency') }}
),

order_items as (
    select
        order_id,
        line_count,
        item_quantity
    from {{ ref('int_order_items_aggregated_to_orders') }}
),

joined as (
    select
        orders.order_id,
        customer_ids.surviving_customer_id as customer_id,
        orders.customer_id as source_customer_id,
        orders.ordered_at,
        cast(orders.ordered_at as date) as ordered_date,
        orders.status,
        orders.status in ('paid', 'shipped', 'completed') as is_valid_purchase,
        orders.currency,
        converted.fx_status,
        converted.rate_to_reporting,
        converted.order_total as order_total_original_currency,
        coalesce(converted.discount_total, 0) as discount_total_original_currency,
        converted.order_total_reporting,
        {#- unknown without a rate: null, never 0 #}
        case
            when converted.has_fx_rate then coalesce(converted.discount_total_reporting, 0)
        end as discount_total_reporting,
        case
            when converted.has_fx_rate then coalesce(converted.shipping_total_reporting, 0)
        end as shipping_total_reporting,
        coalesce(order_items.line_count, 0) as line_count,
        coalesce(order_items.item_quantity, 0) as item_quantity,
        orders.channel,
        orders.device_type,
        orders.delivery_speed,
        orders.coupon_code is not null as has_coupon
    from orders
    inner join customer_ids
        on orders.customer_id = customer_ids.customer_id
    inner join converted
        on orders.order_id = converted.order_id
    left join order_items
        on orders.order_id = order_items.order_id
),

sequenced as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by ordered_at asc, order_id asc
        ) as order_number,
        {#- numbered within purchases and within non-purchases; only the first is kept #}
        row_number() over (
            partition by customer_id, is_valid_purchase
            order by ordered_at asc, order_id asc
        ) as sequence_in_status_group,
        lag(ordered_date) over (
            partition by customer_id, is_valid_purchase
            order by ordered_at asc, order_id asc
        ) as previous_date_in_status_group,
        order_total_reporting + discount_total_reporting as total_before_discount_reporting
    from joined
),

final as (
    select
        order_id,
        customer_id,
        source_customer_id,
        ordered_at,
        ordered_date,
        status,
        is_valid_purchase,
        currency,
        fx_status,
        rate_to_reporting,
        order_total_original_currency,
        discount_total_original_currency,
        order_total_reporting,
        discount_total_reporting,
        shipping_total_reporting,
        {#- a ratio: the order currency's amounts give it when no rate does #}
        cast(
            coalesce(
                discount_total_reporting / nullif(total_before_discount_reporting, 0),
                discount_total_original_currency / nullif(
                    order_total_original_currency + discount_total_original_currency, 0
                )
            )
            as decimal(9, 4)
        ) as discount_share,
        line_count,
        item_quantity,
        channel,
        device_type,
        delivery_speed,
        has_coupon,
        cast(order_number as {{ dbt.type_bigint() }}) as order_number,
        cast(
            case when is_valid_purchase then sequence_in_status_group end
            as {{ dbt.type_bigint() }}
        ) as purchase_number,
        is_valid_purchase and sequence_in_status_group = 1 as is_first_purchase,
        cast(
            case
                when is_valid_purchase
                    then {{ dbt.datediff('previous_date_in_status_group', 'ordered_date', 'day') }}
            end
            as {{ dbt.type_bigint() }}
        ) as days_since_previous_purchase
    from sequenced
)

select * from final
