with

base as (
    select * from {{ ref('base_raw__erasure_requests') }}
    where row_status = 'staged'
),

renamed as (
    select
        customer_id,
        requested_at
    from base
)

select * from renamed
