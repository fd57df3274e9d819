{#- Every anonymous_id (device/browser) ever seen together with a customer_id, mapped to
    the surviving customer of its latest identification: on a shared device the person who
    logged in last owns its anonymous history (ties: the smallest customer id). A device
    ever seen with an erased customer is left out, as is its anonymous history. -#}
with

identified_events as (
    select
        anonymous_id,
        customer_id,
        occurred_at
    from {{ ref('stg_raw__web_events') }}
    where customer_id is not null
),

customer_ids as (
    select
        customer_id,
        surviving_customer_id
    from {{ ref('int_customer_ids_resolved') }}
),

identifications as (
    select
        identified_events.anonymous_id,
        identified_events.occurred_at,
        customer_ids.surviving_customer_id,
        customer_ids.customer_id is null as is_erased_customer
    from identified_events
    left join customer_ids
        on identified_events.customer_id = customer_ids.customer_id
),

devices_of_erased_customers as (
    select distinct anonymous_id
    from identifications
    where is_erased_customer
),

ranked as (
    select
        identifications.anonymous_id,
        identifications.surviving_customer_id,
        identifications.occurred_at,
        row_number() over (
            partition by identifications.anonymous_id
            order by
                identifications.occurred_at desc,
                identifications.surviving_customer_id asc
        ) as identification_rank,
        min(identifications.surviving_customer_id) over (
            partition by identifications.anonymous_id
        ) <> max(identifications.surviving_customer_id) over (
            partition by identifications.anonymous_id
        ) as is_shared_device
    from identifications
    left join devices_of_erased_customers
        on identifications.anonymous_id = devices_of_erased_customers.anonymous_id
    where devices_of_erased_customers.anonymous_id is null
),

final as (
    select
        anonymous_id,
        surviving_customer_id as customer_id,
        occurred_at as last_identified_at,
        is_shared_device
    from ranked
    where identification_rank = 1
)

select * from final
