{#- The open spells of segment_membership_history are exactly the current members in
    segment_memberships. Returns the differences either way. -#}
with

open_spells as (
    select
        segment_id,
        customer_id
    from {{ ref('segment_membership_history') }}
    where exited_on is null
),

memberships as (
    select
        segment_id,
        customer_id
    from {{ ref('segment_memberships') }}
),

final as (
    select
        coalesce(open_spells.segment_id, memberships.segment_id) as segment_id,
        coalesce(open_spells.customer_id, memberships.customer_id) as customer_id,
        open_spells.customer_id is null as is_missing_from_history
    from open_spells
    full outer join memberships
        on
            open_spells.segment_id = memberships.segment_id
            and open_spells.customer_id = memberships.customer_id
    where open_spells.customer_id is null or memberships.customer_id is null
)

select * from final
