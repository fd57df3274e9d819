with

base as (
    select * from {{ ref('base_raw__loyalty_members') }}
    where row_status = 'staged'
),

renamed as (
    select
        customer_id,
        tier,
        points_balance,
        joined_at,
        record_source
    from base
)

select * from renamed
