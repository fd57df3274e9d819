{#- Mailchimp statuses as raw contract `consents` rows (text, staged by base_raw__consents),
    purpose email_marketing, source mailchimp. The latest record per customer and purpose
    wins, against every source's:
      - every member with a status once opted in: granted at the confirmation of the
        double opt-in, else the opt-in (a member imported without either: at its last
        change, for a subscribed member only);
      - unsubscribed: withdrawn at UNSUB_TIME (else the last change).
    A cleaned address (bounced) keeps its opt-in; stg_mailchimp__email_events records the
    bounce, which keeps it out of every e-mail audience. -#}
with

members as (
    select * from {{ ref('stg_mailchimp__members') }}
    where member_status is not null
),

granted as (
    select
        member_id as customer_id,
        'granted' as status,
        case
            when member_status = 'subscribed'
                then coalesce(confirmed_at, opted_in_at, last_changed_at)
            else coalesce(confirmed_at, opted_in_at)
        end as recorded_at,
        export_file,
        export_row
    from members
),

withdrawn as (
    select
        member_id as customer_id,
        'withdrawn' as status,
        coalesce(unsubscribed_at, last_changed_at) as recorded_at,
        export_file,
        export_row
    from members
    where member_status = 'unsubscribed'
),

unioned as (
    select * from granted
    where recorded_at is not null
    union all
    select * from withdrawn
),

final as (
    select
        customer_id,
        'email_marketing' as purpose,
        status,
        recorded_at,
        'mailchimp' as source,  -- noqa: RF04
        export_file,
        export_row
    from unioned
)

{{ contract_rows('consents', 'final', [
    'customer_id', 'purpose', 'status', 'recorded_at', 'source',
], 'mailchimp', ['export_file', 'export_row']) }}
