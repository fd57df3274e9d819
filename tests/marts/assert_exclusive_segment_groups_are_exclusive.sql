-- Within an exclusive group of segments a customer is a member of at most one segment.
-- Returns the customers in two or more segments of one group.
with

memberships as (
    select
        segment_id,
        customer_id
    from {{ ref('segment_memberships') }}
),

segments as (
    select
        segment_id,
        exclusive_group
    from {{ ref('dim_segments') }}
    where exclusive_group is not null
),

counted as (
    select
        segments.exclusive_group,
        memberships.customer_id,
        count(*) as segment_count
    from memberships
    inner join segments
        on memberships.segment_id = segments.segment_id
    group by segments.exclusive_group, memberships.customer_id
)

select * from counted
where segment_count > 1
