with

base as (
    select * from {{ ref('base_raw__erasure_requests') }}
    where row_status = 'staged'
),

renamed as (
    select
        customer_id,
        requested_at,
        record_source
    from base
)

select * from renamed
