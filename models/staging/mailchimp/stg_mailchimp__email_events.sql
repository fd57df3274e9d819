{#- Mailchimp's cleaned members as raw contract `email_events` rows (text, staged by
    base_raw__email_events): one `bounced` event at CLEAN_TIME (else the last change), in
    the campaign that cleaned the address. Mailchimp cleans an address that bounced hard
    (or softly, again and again): it is never contactable, and a bounce keeps a customer
    out of every e-mail audience. -#}
{%- set row_place = dbt.concat([
    'export_file', "':'", dbt.safe_cast('export_row', dbt.type_string())
]) %}
with

members as (
    select * from {{ ref('stg_mailchimp__members') }}
    where member_status = 'cleaned'
),

final as (
    select
        {#- the row's place when the address is missing, so that the customer_id is what
            staging finds missing #}
        {{ dbt.concat(["'mailchimp:cleaned:'", 'coalesce(' ~ hash_email('email_address')
            ~ ', ' ~ row_place ~ ')']) }} as event_id,
        coalesce(cleaned_at, last_changed_at) as occurred_at,
        member_id as customer_id,
        clean_campaign_id as campaign_id,
        'bounced' as event_type,
        export_file,
        export_row
    from members
)

{{ contract_rows('email_events', 'final', [
    'event_id', 'occurred_at', 'customer_id', 'campaign_id', 'event_type',
], 'mailchimp', ['export_file', 'export_row']) }}
