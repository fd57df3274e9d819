{#- Per surviving customer who was ever emailed up to as_of_date: engagement over the
    messages sent in the last 90 days (as_of_date included) and whether they ever
    unsubscribed, bounced or complained. Rates are per delivered message; null when
    nothing was delivered in the window. -#}
with

messages as (
    select
        customer_id,
        sent_date,
        is_delivered,
        is_opened,
        is_clicked,
        is_bounced,
        is_unsubscribed,
        is_complained
    from {{ ref('int_email_events_aggregated_to_messages') }}
),

aggregated as (
    select
        customer_id,
        count(case when sent_date > {{ days_before_as_of(90) }} then 1 end) as emails_sent_90d,
        count(
            case when sent_date > {{ days_before_as_of(90) }} and is_delivered then 1 end
        ) as emails_delivered_90d,
        count(
            case
                when sent_date > {{ days_before_as_of(90) }} and is_delivered and is_opened
                    then 1
            end
        ) as emails_opened_90d,
        count(
            case
                when sent_date > {{ days_before_as_of(90) }} and is_delivered and is_clicked
                    then 1
            end
        ) as emails_clicked_90d,
        max(case when is_unsubscribed then 1 else 0 end) = 1 as has_unsubscribed,
        max(case when is_bounced then 1 else 0 end) = 1 as has_bounced,
        max(case when is_complained then 1 else 0 end) = 1 as has_complained
    from messages
    group by customer_id
),

final as (
    select
        customer_id,
        cast(emails_sent_90d as {{ dbt.type_bigint() }}) as emails_sent_90d,
        cast(emails_delivered_90d as {{ dbt.type_bigint() }}) as emails_delivered_90d,
        cast(
            emails_opened_90d * 1.0 / nullif(emails_delivered_90d, 0) as decimal(5, 4)
        ) as email_open_rate_90d,
        cast(
            emails_clicked_90d * 1.0 / nullif(emails_delivered_90d, 0) as decimal(5, 4)
        ) as email_click_rate_90d,
        has_unsubscribed,
        has_bounced,
        has_complained
    from aggregated
)

select * from final
