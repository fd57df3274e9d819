{#- Every pair of segments with members in common (segment_a_id < segment_b_id), with both
    sizes, the intersection and the Jaccard index (intersection / union), as of
    as_of_date. -#}
with

memberships as (
    select
        segment_id,
        customer_id
    from {{ ref('segment_memberships') }}
),

sizes as (
    select
        segment_id,
        count(*) as member_count
    from memberships
    group by segment_id
),

intersections as (
    select
        memberships_a.segment_id as segment_a_id,
        memberships_b.segment_id as segment_b_id,
        count(*) as intersection_count
    from memberships as memberships_a
    inner join memberships as memberships_b
        on
            memberships_a.customer_id = memberships_b.customer_id
            and memberships_a.segment_id < memberships_b.segment_id
    group by memberships_a.segment_id, memberships_b.segment_id
),

final as (
    select
        intersections.segment_a_id,
        intersections.segment_b_id,
        {{ as_of_date() }} as as_of_date,
        cast(sizes_a.member_count as {{ dbt.type_bigint() }}) as segment_a_member_count,
        cast(sizes_b.member_count as {{ dbt.type_bigint() }}) as segment_b_member_count,
        cast(intersections.intersection_count as {{ dbt.type_bigint() }}) as intersection_count,
        cast(
            intersections.intersection_count * 1.0
            / (sizes_a.member_count + sizes_b.member_count - intersections.intersection_count)
            as decimal(7, 6)
        ) as jaccard_index
    from intersections
    inner join sizes as sizes_a
        on intersections.segment_a_id = sizes_a.segment_id
    inner join sizes as sizes_b
        on intersections.segment_b_id = sizes_b.segment_id
)

select * from final
