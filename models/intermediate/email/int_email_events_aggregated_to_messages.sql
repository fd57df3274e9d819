{#- One row per email message: a campaign sent to one CRM contact (events without a
    campaign form one message per contact), with what happened to it up to as_of_date.
    customer_id is the surviving customer. An open or click implies delivery even when the
    delivered event is missing; a bounce means not delivered.
    A table: fct_email_messages publishes it, and each customer's email engagement and lead
    engagement read it. -#}
{{ config(materialized='table') }}
with

email_events as (
    select
        customer_id,
        campaign_id,
        event_type,
        occurred_at
    from {{ ref('stg_raw__email_events') }}
    where occurred_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

customer_ids as (
    select
        customer_id,
        surviving_customer_id
    from {{ ref('int_customer_ids_resolved') }}
),

messages as (
    select
        customer_id as source_customer_id,
        campaign_id,
        min(occurred_at) as first_event_at,
        min(case when event_type = 'sent' then occurred_at end) as sent_at,
        min(case when event_type = 'delivered' then occurred_at end) as delivered_at,
        min(case when event_type = 'opened' then occurred_at end) as first_opened_at,
        min(case when event_type = 'clicked' then occurred_at end) as first_clicked_at,
        min(case when event_type = 'bounced' then occurred_at end) as bounced_at,
        min(case when event_type = 'unsubscribed' then occurred_at end) as unsubscribed_at,
        min(case when event_type = 'complained' then occurred_at end) as complained_at,
        count(case when event_type = 'opened' then 1 end) as open_count,
        count(case when event_type = 'clicked' then 1 end) as click_count
    from email_events
    group by customer_id, campaign_id
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'messages.source_customer_id', "'|'", "coalesce(messages.campaign_id, '')"
        ])) }} as email_message_id,
        customer_ids.surviving_customer_id as customer_id,
        messages.source_customer_id,
        messages.campaign_id,
        coalesce(messages.sent_at, messages.first_event_at) as sent_at,
        cast(coalesce(messages.sent_at, messages.first_event_at) as date) as sent_date,
        (
            messages.bounced_at is null
            and (
                messages.delivered_at is not null
                or messages.first_opened_at is not null
                or messages.first_clicked_at is not null
            )
        ) as is_delivered,
        (messages.first_opened_at is not null or messages.first_clicked_at is not null)
            as is_opened,
        messages.first_clicked_at is not null as is_clicked,
        messages.bounced_at is not null as is_bounced,
        messages.unsubscribed_at is not null as is_unsubscribed,
        messages.complained_at is not null as is_complained,
        messages.first_opened_at,
        messages.first_clicked_at,
        messages.unsubscribed_at,
        cast(messages.open_count as {{ dbt.type_bigint() }}) as open_count,
        cast(messages.click_count as {{ dbt.type_bigint() }}) as click_count
    from messages
    inner join customer_ids
        on messages.source_customer_id = customer_ids.customer_id
)

select * from final
