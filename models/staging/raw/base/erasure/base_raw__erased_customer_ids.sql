{#- Ephemeral on purpose: erased identifiers are never stored in any relation.
    The customer_ids that must vanish: every id with an erasure request and, when contacts
    are merged by email (var merge_contacts_by_email), every contact that ever shared a
    normalised email with one of them (any raw version). -#}
{{ config(materialized='ephemeral') }}

with

erasure_requests as (
    {{ select_raw_table(source('raw', 'erasure_requests'),
        raw_contract_spec(source('raw', 'erasure_requests'))) | indent(4) }}
),

requested as (
    select nullif(trim(customer_id), '') as customer_id
    from erasure_requests
),
{%- if var('merge_contacts_by_email') %}

customers as (
    {{ select_raw_and_tool_rows('customers') | indent(4) }}
),

erased_emails as (
    select erased_key as email
    from {{ ref('base_raw__erased_emails') }}
),

contacts_sharing_an_email as (
    select nullif(trim(customers.customer_id), '') as customer_id
    from customers
    inner join erased_emails
        on {{ normalize_email('customers.email') }} = erased_emails.email
),

unioned as (
    select customer_id from requested
    union all
    select customer_id from contacts_sharing_an_email
),
{%- else %}

unioned as (
    select customer_id from requested
),
{%- endif %}

final as (
    select distinct customer_id as erased_key
    from unioned
    where customer_id is not null
)

select * from final
