{#- Every anonymous_id (device/browser) seen together with a customer_id by as_of_date
    (a build does not know identifications made after its date), mapped to
    the surviving customer of its latest identification: on a shared device the person who
    logged in last owns its anonymous history (ties: the smallest customer id). -#}
{#- A table: its window over every identified event ran again for each reader. -#}
{{ config(materialized='table') }}
with

identified_events as (
    select
        anonymous_id,
        customer_id,
        occurred_at
    from {{ ref('stg_raw__web_events') }}
    where
        customer_id is not null
        and occurred_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
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
        customer_ids.surviving_customer_id
    from identified_events
    inner join customer_ids
        on identified_events.customer_id = customer_ids.customer_id
),

ranked as (
    select
        anonymous_id,
        surviving_customer_id,
        occurred_at,
        row_number() over (
            partition by anonymous_id
            order by occurred_at desc, surviving_customer_id asc
        ) as identification_rank,
        min(surviving_customer_id) over (partition by anonymous_id)
        <> max(surviving_customer_id) over (partition by anonymous_id) as is_shared_device
    from identifications
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
