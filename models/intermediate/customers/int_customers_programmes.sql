{#- Per surviving customer, engagement with the company's programmes up to as_of_date:
    product reviews, loyalty membership (merged contacts: the highest tier, then the most
    points) and event registrations (attended counts only events that took place by
    as_of_date and were marked attended; attended_event_cities lists their cities,
    sorted, '|'-separated). -#}
with

customer_ids as (
    select
        customer_id,
        surviving_customer_id
    from {{ ref('int_customer_ids_resolved') }}
),

customers as (
    select customer_id
    from customer_ids
    where customer_id = surviving_customer_id
),

reviews as (
    select
        customer_ids.surviving_customer_id as customer_id,
        count(*) as review_count,
        avg(reviews.rating) as average_rating
    from {{ ref('stg_raw__reviews') }} as reviews
    inner join customer_ids
        on reviews.customer_id = customer_ids.customer_id
    where reviews.created_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
    group by customer_ids.surviving_customer_id
),

loyalty_ranked as (
    select
        customer_ids.surviving_customer_id as customer_id,
        loyalty_members.tier,
        loyalty_members.points_balance,
        loyalty_members.joined_at,
        row_number() over (
            partition by customer_ids.surviving_customer_id
            order by
                case loyalty_members.tier
                    when 'platinum' then 4
                    when 'gold' then 3
                    when 'silver' then 2
                    when 'bronze' then 1
                    else 0
                end desc,
                loyalty_members.points_balance desc,
                loyalty_members.joined_at asc
        ) as membership_rank
    from {{ ref('stg_raw__loyalty_members') }} as loyalty_members
    inner join customer_ids
        on loyalty_members.customer_id = customer_ids.customer_id
    where loyalty_members.joined_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

registrations as (
    select
        customer_ids.surviving_customer_id as customer_id,
        count(*) as events_registered,
        count(
            case
                when event_registrations.has_attended
                    and event_registrations.event_date <= {{ as_of_date() }}
                    then 1
            end
        ) as events_attended,
        max(event_registrations.event_date) as last_event_date,
        {{ sorted_distinct_list(
            "case when event_registrations.has_attended"
            ~ " and event_registrations.event_date <= " ~ as_of_date()
            ~ " then event_registrations.event_city end") }} as attended_event_cities
    from {{ ref('stg_raw__event_registrations') }} as event_registrations
    inner join customer_ids
        on event_registrations.customer_id = customer_ids.customer_id
    where event_registrations.registered_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
    group by customer_ids.surviving_customer_id
),

final as (
    select
        customers.customer_id,
        cast(coalesce(reviews.review_count, 0) as {{ dbt.type_bigint() }}) as review_count,
        cast(reviews.average_rating as decimal(3, 2)) as average_rating,
        loyalty_ranked.customer_id is not null as is_loyalty_member,
        loyalty_ranked.tier as loyalty_tier,
        loyalty_ranked.points_balance as loyalty_points_balance,
        cast(loyalty_ranked.joined_at as date) as loyalty_joined_date,
        cast(coalesce(registrations.events_registered, 0) as {{ dbt.type_bigint() }})
            as events_registered,
        cast(coalesce(registrations.events_attended, 0) as {{ dbt.type_bigint() }})
            as events_attended,
        registrations.last_event_date,
        registrations.attended_event_cities
    from customers
    left join reviews
        on customers.customer_id = reviews.customer_id
    left join loyalty_ranked
        on
            customers.customer_id = loyalty_ranked.customer_id
            and loyalty_ranked.membership_rank = 1
    left join registrations
        on customers.customer_id = registrations.customer_id
)

select * from final
