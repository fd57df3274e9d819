{#- Ephemeral on purpose: erased identifiers are never stored in any relation.
    Every normalised email any raw version of a contact who asked for erasure ever had.
    A request counts when its customer_id is present, whatever else is wrong with it. -#}
{{ config(materialized='ephemeral') }}

with

erasure_requests as (
    {{ select_raw_table(source('raw', 'erasure_requests'),
        raw_contract_spec(source('raw', 'erasure_requests'))) | indent(4) }}
),

customers as (
    {{ select_raw_and_tool_rows('customers') | indent(4) }}
),

requested as (
    select distinct nullif(trim(customer_id), '') as customer_id
    from erasure_requests
),

final as (
    select distinct {{ normalize_email('customers.email') }} as erased_key
    from customers
    inner join requested
        on nullif(trim(customers.customer_id), '') = requested.customer_id
    where {{ normalize_email('customers.email') }} is not null
)

select * from final
