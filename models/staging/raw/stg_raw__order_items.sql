with

base as (
    select * from {{ ref('base_raw__order_items') }}
    where row_status = 'staged'
),

renamed as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        record_source
    from base
)

select * from renamed
