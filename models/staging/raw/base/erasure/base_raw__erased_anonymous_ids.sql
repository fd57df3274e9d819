{#- Ephemeral on purpose: erased identifiers are never stored in any relation.
    The devices (anonymous_id) ever seen together with an erased customer: their anonymous
    events vanish too. On a device shared with someone else, that person's identified
    events stay (the customer_id decides first); the anonymous ones go, since they may be
    the erased person's. -#}
{{ config(materialized='ephemeral') }}

with

web_events as (
    {{ select_raw_table(source('raw', 'web_events'),
        raw_contract_spec(source('raw', 'web_events'))) | indent(4) }}
),

erased_customers as (
    select erased_key as customer_id
    from {{ ref('base_raw__erased_customer_ids') }}
),

final as (
    select distinct nullif(trim(web_events.anonymous_id), '') as erased_key
    from web_events
    inner join erased_customers
        on nullif(trim(web_events.customer_id), '') = erased_customers.customer_id
    where nullif(trim(web_events.anonymous_id), '') is not null
)

select * from final
