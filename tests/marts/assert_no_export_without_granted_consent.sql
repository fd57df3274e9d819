-- No row of audience_exports may be contacted without granted consent for its channel's
-- purpose as of as_of_date, or, for email, to an address that unsubscribed or bounced.
-- Checked against the consent log itself (the latest record by event time), not against
-- the columns the export was built from. Returns the offending rows.
with

exports as (
    select
        segment_id,
        channel,
        customer_id
    from {{ ref('audience_exports') }}
),

purposes as (
    select
        'email' as channel,
        'email_marketing' as purpose
    union all
    select
        'sms' as channel,
        'sms_marketing' as purpose
    union all
    select
        'paid_media' as channel,
        'personalized_ads' as purpose
),

customer_ids as (
    select
        customer_id,
        surviving_customer_id
    from {{ ref('int_customer_ids_resolved') }}
),

latest_consents as (
    select
        customer_ids.surviving_customer_id as customer_id,
        consent_log.purpose,
        consent_log.status,
        row_number() over (
            partition by customer_ids.surviving_customer_id, consent_log.purpose
            order by
                consent_log.recorded_at desc,
                case when consent_log.status = 'granted' then 1 else 0 end asc
        ) as recency_rank
    from {{ ref('stg_raw__consent_log') }} as consent_log
    inner join customer_ids
        on consent_log.customer_id = customer_ids.customer_id
    where consent_log.recorded_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

{# the channel as a column: a constant in the join condition of a left join made DuckDB
    compare every export with every address (a nested-loop join, minutes at 1,000,000
    customers) #}
email_blocked as (
    select
        customer_id,
        'email' as channel
    from {{ ref('fct_email_messages') }}
    where is_unsubscribed or is_bounced
    group by customer_id
),

checked as (
    select
        exports.segment_id,
        exports.channel,
        exports.customer_id,
        latest_consents.status
    from exports
    inner join purposes
        on exports.channel = purposes.channel
    left join latest_consents
        on
            exports.customer_id = latest_consents.customer_id
            and purposes.purpose = latest_consents.purpose
            and latest_consents.recency_rank = 1
    left join email_blocked
        on
            exports.customer_id = email_blocked.customer_id
            and exports.channel = email_blocked.channel
    where
        coalesce(latest_consents.status, 'none') <> 'granted'
        or email_blocked.customer_id is not null
)

select * from checked
