{#- Web and app events up to as_of_date, each attributed to a surviving customer: the
    event's own customer when it was identified, else the owner of its device
    (int_web_visitors_identified), else nobody. Events without a session_id form one
    session per device and day. -#}
{#- A table: the sessions and four tests read it; a view recomputed the device
    attribution for each. -#}
{{ config(materialized='table') }}
with

events as (
    select
        event_id,
        occurred_at,
        anonymous_id,
        customer_id,
        session_id,
        event_type,
        product_id,
        device_type,
        os,
        browser,
        app_platform,
        utm_source,
        utm_medium,
        utm_campaign
    from {{ ref('stg_raw__web_events') }}
    where occurred_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

customer_ids as (
    select
        customer_id,
        surviving_customer_id
    from {{ ref('int_customer_ids_resolved') }}
),

visitors as (
    select
        anonymous_id,
        customer_id
    from {{ ref('int_web_visitors_identified') }}
),

final as (
    select
        events.event_id,
        events.occurred_at,
        events.anonymous_id,
        coalesce(
            events.session_id,
            concat(
                events.anonymous_id,
                '|',
                cast(cast(events.occurred_at as date) as {{ dbt.type_string() }})
            )
        ) as session_id,
        customer_ids.surviving_customer_id as identified_customer_id,
        coalesce(customer_ids.surviving_customer_id, visitors.customer_id) as customer_id,
        events.event_type,
        events.product_id,
        events.device_type,
        events.os,
        events.browser,
        events.app_platform,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign
    from events
    left join customer_ids
        on events.customer_id = customer_ids.customer_id
    left join visitors
        on events.anonymous_id = visitors.anonymous_id
)

select * from final
