{#- Every engagement a lead score counts, one row per customer, activity and day up to
    as_of_date, with how many times it happened: email opens and clicks (per message, on
    the day of the first one), web and app sessions, product views, event registrations
    and attended events (on the event's date). -#}
with

email_messages as (
    select
        customer_id,
        cast(first_opened_at as date) as opened_date,
        cast(first_clicked_at as date) as clicked_date
    from {{ ref('int_email_events_aggregated_to_messages') }}
),

sessions as (
    select
        customer_id,
        session_date,
        product_views
    from {{ ref('int_web_events_aggregated_to_sessions') }}
    where customer_id is not null
),

registrations as (
    select
        customer_ids.surviving_customer_id as customer_id,
        cast(event_registrations.registered_at as date) as registered_date,
        event_registrations.event_date,
        event_registrations.has_attended
    from {{ ref('stg_raw__event_registrations') }} as event_registrations
    inner join {{ ref('int_customer_ids_resolved') }} as customer_ids
        on event_registrations.customer_id = customer_ids.customer_id
),

activities as (
    select
        customer_id,
        'email_open' as activity,
        opened_date as activity_date,
        1 as quantity
    from email_messages
    where opened_date is not null
    union all
    select
        customer_id,
        'email_click' as activity,
        clicked_date as activity_date,
        1 as quantity
    from email_messages
    where clicked_date is not null
    union all
    select
        customer_id,
        'web_session' as activity,
        session_date as activity_date,
        1 as quantity
    from sessions
    union all
    select
        customer_id,
        'product_view' as activity,
        session_date as activity_date,
        product_views as quantity
    from sessions
    where product_views > 0
    union all
    select
        customer_id,
        'event_registered' as activity,
        registered_date as activity_date,
        1 as quantity
    from registrations
    union all
    select
        customer_id,
        'event_attended' as activity,
        event_date as activity_date,
        1 as quantity
    from registrations
    where has_attended
),

final as (
    select
        customer_id,
        activity,
        activity_date,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as quantity
    from activities
    where activity_date <= {{ as_of_date() }}
    group by customer_id, activity, activity_date
)

select * from final
