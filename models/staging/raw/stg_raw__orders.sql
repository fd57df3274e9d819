with

base as (
    select * from {{ ref('base_raw__orders') }}
    where row_status = 'staged'
),

renamed as (
    select
        order_id,
        customer_id,
        ordered_at,
        status,
        upper(currency) as currency,
        order_total,
        discount_total,
        shipping_total,
        channel,
        device_type,
        delivery_speed,
        coupon_code,
        shipping_postal_code,
        updated_at,
        record_source
    from base
)

select * from renamed
