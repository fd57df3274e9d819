with

base as (
    select * from {{ ref('base_raw__products') }}
    where row_status = 'staged'
),

renamed as (
    select
        product_id,
        product_name,
        category,
        subcategory,
        brand,
        list_price,
        upper(currency) as currency,
        launched_at,
        record_source
    from base
)

select * from renamed
