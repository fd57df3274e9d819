{#- One row per web or app session up to as_of_date. The session's customer is whoever was
    identified in it (the smallest surviving id if several were), else its device's owner,
    else nobody (an anonymous visitor).
    A table: fct_sessions publishes it, and the web behaviour and engagement of each
    customer read it. -#}
{{ config(materialized='table') }}
with

events as (
    select * from {{ ref('int_web_events_attributed') }}
),

sessions as (
    select
        session_id,
        min(anonymous_id) as anonymous_id,
        min(identified_customer_id) as identified_customer_id,
        min(customer_id) as device_owner_customer_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        max(device_type) as device_type,
        max(os) as os,
        max(browser) as browser,
        max(app_platform) as app_platform,
        max(utm_source) as utm_source,
        max(utm_medium) as utm_medium,
        max(utm_campaign) as utm_campaign,
        count(*) as event_count,
        count(case when event_type = 'page_view' then 1 end) as page_views,
        count(case when event_type = 'product_view' then 1 end) as product_views,
        count(case when event_type = 'search' then 1 end) as searches,
        count(case when event_type = 'add_to_cart' then 1 end) as cart_adds,
        count(case when event_type = 'remove_from_cart' then 1 end) as cart_removals,
        count(case when event_type = 'checkout_started' then 1 end) as checkouts_started,
        count(case when event_type = 'purchase' then 1 end) as purchases
    from events
    group by session_id
),

final as (
    select
        session_id,
        anonymous_id,
        coalesce(identified_customer_id, device_owner_customer_id) as customer_id,
        identified_customer_id is not null as is_identified,
        started_at,
        ended_at,
        cast(started_at as date) as session_date,
        cast(
            {{ dbt.datediff('started_at', 'ended_at', 'second') }}
            as {{ dbt.type_bigint() }}
        ) as duration_seconds,
        device_type,
        os,
        browser,
        app_platform,
        coalesce(app_platform in ('ios', 'android'), false) as is_app_session,
        coalesce(device_type = 'mobile', false) as is_mobile_session,
        utm_source,
        utm_medium,
        utm_campaign,
        cast(event_count as {{ dbt.type_bigint() }}) as event_count,
        cast(page_views as {{ dbt.type_bigint() }}) as page_views,
        cast(product_views as {{ dbt.type_bigint() }}) as product_views,
        cast(searches as {{ dbt.type_bigint() }}) as searches,
        cast(cart_adds as {{ dbt.type_bigint() }}) as cart_adds,
        cast(cart_removals as {{ dbt.type_bigint() }}) as cart_removals,
        cast(checkouts_started as {{ dbt.type_bigint() }}) as checkouts_started,
        cast(purchases as {{ dbt.type_bigint() }}) as purchases,
        cart_adds > 0 and purchases = 0 as is_abandoned_cart
    from sessions
)

select * from final
