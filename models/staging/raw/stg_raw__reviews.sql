with

base as (
    select * from {{ ref('base_raw__reviews') }}
    where row_status = 'staged'
),

renamed as (
    select
        review_id,
        customer_id,
        product_id,
        rating,
        created_at,
        record_source
    from base
)

select * from renamed
