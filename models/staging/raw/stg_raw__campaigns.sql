with

base as (
    select * from {{ ref('base_raw__campaigns') }}
    where row_status = 'staged'
),

renamed as (
    select
        campaign_id,
        campaign_name,
        channel,
        target_segment_id,
        started_at,
        ended_at,
        cost,
        upper(currency) as currency,
        record_source
    from base
)

select * from renamed
