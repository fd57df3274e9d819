with

base as (
    select * from {{ ref('base_raw__email_events') }}
    where row_status = 'staged'
),

renamed as (
    select
        event_id,
        occurred_at,
        customer_id,
        campaign_id,
        event_type,
        record_source
    from base
)

select * from renamed
