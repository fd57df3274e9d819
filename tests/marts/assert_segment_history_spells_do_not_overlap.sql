{#- A customer's spells in a segment never overlap: each starts after the previous one
    ended, and only the latest may be open. Returns the overlapping pairs. -#}
with

spells as (
    select
        segment_id,
        customer_id,
        entered_on,
        exited_on,
        lead(entered_on) over (
            partition by segment_id, customer_id
            order by entered_on
        ) as next_entered_on
    from {{ ref('segment_membership_history') }}
),

final as (
    select *
    from spells
    where
        next_entered_on is not null
        and (exited_on is null or exited_on > next_entered_on)
)

select * from final
