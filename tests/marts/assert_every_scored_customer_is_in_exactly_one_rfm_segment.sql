{#- Every customer scored in customer_rfm is a member of exactly one segment of the
    exclusive group 'rfm' of segment_memberships, the one named for its rfm_segment
    ('RFM: <rfm_segment>'); 'Others' (no rule of seed rfm_segments matched) is in none.
    A customer who is not scored is in no RFM segment. Returns the customers who break
    this, with their counts. -#}
with

scored as (
    select
        customer_id,
        rfm_segment
    from {{ ref('customer_rfm') }}
),

rfm_segments as (
    select
        segment_id,
        segment_name
    from {{ ref('dim_segments') }}
    where exclusive_group = 'rfm'
),

rfm_memberships as (
    select
        memberships.customer_id,
        rfm_segments.segment_name
    from {{ ref('segment_memberships') }} as memberships
    inner join rfm_segments
        on memberships.segment_id = rfm_segments.segment_id
),

counted as (
    select
        coalesce(scored.customer_id, rfm_memberships.customer_id) as customer_id,
        max(scored.rfm_segment) as rfm_segment,
        count(rfm_memberships.customer_id) as rfm_membership_count,
        count(
            case
                when rfm_memberships.segment_name = concat('RFM: ', scored.rfm_segment)
                    then 1
            end
        ) as matching_membership_count
    from scored
    full outer join rfm_memberships
        on scored.customer_id = rfm_memberships.customer_id
    group by coalesce(scored.customer_id, rfm_memberships.customer_id)
),

final as (
    select *
    from counted
    where
        case
            when rfm_segment is null or rfm_segment = 'Others'
                then rfm_membership_count <> 0
            else rfm_membership_count <> 1 or matching_membership_count <> 1
        end
)

select * from final
