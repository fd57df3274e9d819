-- segment_sizes for this build's as_of_date counts exactly the rows of
-- segment_memberships. Returns the segments whose counts differ.
with

sizes as (
    select
        segment_id,
        member_count
    from {{ ref('segment_sizes') }}
    where as_of_date = {{ as_of_date() }}
),

counted as (
    select
        segment_id,
        count(*) as member_count
    from {{ ref('segment_memberships') }}
    group by segment_id
),

checked as (
    select
        sizes.segment_id,
        sizes.member_count as size_member_count,
        coalesce(counted.member_count, 0) as membership_count
    from sizes
    left join counted
        on sizes.segment_id = counted.segment_id
    where sizes.member_count <> coalesce(counted.member_count, 0)
)

select * from checked
