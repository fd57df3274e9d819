with

base as (
    select * from {{ ref('base_raw__web_events') }}
    where row_status = 'staged'
),

renamed as (
    select
        event_id,
        occurred_at,
        anonymous_id,
        customer_id,
        session_id,
        event_type,
        page_path,
        product_id,
        search_query,
        device_type,
        os,
        browser,
        app_platform,
        utm_source,
        utm_medium,
        utm_campaign,
        record_source
    from base
)

select * from renamed
