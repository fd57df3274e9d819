{#- Who may be contacted, per segment and channel: one row per current member whose
    consent for the channel's purpose is granted as of as_of_date (email: email_marketing,
    and never an address that unsubscribed or bounced; sms: sms_marketing; paid_media:
    personalized_ads). Erased people never reach dim_customers, so never this table.
    email_sha256 (macro hash_email) is the identifier ad platforms match on. is_holdout
    puts a stable share of each segment (var segment_holdout_percent, or the segment's
    holdout_percent) in a control group: a hash of customer and segment, so a customer's
    group does not change between builds. -#}
with

memberships as (
    select
        segment_id,
        customer_id,
        as_of_date
    from {{ ref('segment_memberships') }}
),

customers as (
    select
        customer_id,
        has_email_marketing_consent,
        has_sms_marketing_consent,
        has_personalized_ads_consent,
        has_unsubscribed_from_email,
        has_email_bounced
    from {{ ref('dim_customers') }}
),

identifiers as (
    select
        customer_id,
        email_sha256
    from {{ ref('customer_pii') }}
),

holdout_percents as (
    select
        segment_id,
        holdout_percent
    from {{ ref('dim_segments') }}
),

channels as (
    select
        memberships.segment_id,
        memberships.customer_id,
        memberships.as_of_date,
        'email' as channel
    from memberships
    inner join customers
        on memberships.customer_id = customers.customer_id
    inner join identifiers
        on memberships.customer_id = identifiers.customer_id
    where
        customers.has_email_marketing_consent
        and not customers.has_unsubscribed_from_email
        and not customers.has_email_bounced
        and identifiers.email_sha256 is not null
    union all
    select
        memberships.segment_id,
        memberships.customer_id,
        memberships.as_of_date,
        'sms' as channel
    from memberships
    inner join customers
        on memberships.customer_id = customers.customer_id
    where customers.has_sms_marketing_consent
    union all
    select
        memberships.segment_id,
        memberships.customer_id,
        memberships.as_of_date,
        'paid_media' as channel
    from memberships
    inner join customers
        on memberships.customer_id = customers.customer_id
    where customers.has_personalized_ads_consent
),

final as (
    select
        channels.segment_id,
        channels.channel,
        channels.customer_id,
        identifiers.email_sha256,
        {{ segment_holdout_flag(
            'channels.customer_id', 'channels.segment_id', 'holdout_percents.holdout_percent'
        ) }} as is_holdout,
        channels.as_of_date
    from channels
    inner join holdout_percents
        on channels.segment_id = holdout_percents.segment_id
    left join identifiers
        on channels.customer_id = identifiers.customer_id
)

select * from final
