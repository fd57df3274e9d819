{#- One row per email message (a campaign sent to one CRM contact):
    int_email_events_aggregated_to_messages, published with its contract. -#}
with

email_messages as (
    select
        email_message_id,
        customer_id,
        source_customer_id,
        campaign_id,
        sent_at,
        sent_date,
        is_delivered,
        is_opened,
        is_clicked,
        is_bounced,
        is_unsubscribed,
        is_complained,
        first_opened_at,
        first_clicked_at,
        unsubscribed_at,
        open_count,
        click_count
    from {{ ref('int_email_events_aggregated_to_messages') }}
)

select * from email_messages
