{#- One row per web or app session up to as_of_date, with its customer:
    int_web_events_aggregated_to_sessions, published with its contract. -#}
with

sessions as (
    select
        session_id,
        anonymous_id,
        customer_id,
        is_identified,
        started_at,
        ended_at,
        session_date,
        duration_seconds,
        device_type,
        os,
        browser,
        app_platform,
        is_app_session,
        is_mobile_session,
        utm_source,
        utm_medium,
        utm_campaign,
        event_count,
        page_views,
        product_views,
        searches,
        cart_adds,
        cart_removals,
        checkouts_started,
        purchases,
        is_abandoned_cart
    from {{ ref('int_web_events_aggregated_to_sessions') }}
)

select * from sessions
