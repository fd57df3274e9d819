with

base as (
    select * from {{ ref('base_raw__consents') }}
    where row_status = 'staged'
),

renamed as (
    select
        customer_id,
        purpose,
        status,
        recorded_at,
        source,
        record_source
    from base
)

select * from renamed
