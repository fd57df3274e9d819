{#- For each surviving customer with coordinates, the nearest store or event venue from the
    editable seed store_locations, and the distance to it in km (ties: smallest id). -#}
{#- A table: the distance to every store, computed once for one model and three tests. -#}
{{ config(materialized='table') }}
with

customers as (
    select
        customer_id,
        latitude,
        longitude
    from {{ ref('int_customers_merged') }}
    where latitude is not null and longitude is not null
),

locations as (
    select
        location_id,
        latitude,
        longitude
    from {{ ref('store_locations') }}
),

distances as (
    select
        customers.customer_id,
        locations.location_id,
        {{ haversine_km('customers.latitude', 'customers.longitude',
                        'locations.latitude', 'locations.longitude') }} as distance_km
    from customers
    cross join locations
),

ranked as (
    select
        customer_id,
        location_id,
        distance_km,
        row_number() over (
            partition by customer_id
            order by distance_km asc, location_id asc
        ) as distance_rank
    from distances
),

final as (
    select
        customer_id,
        location_id as nearest_location_id,
        cast(distance_km as decimal(10, 3)) as nearest_location_distance_km
    from ranked
    where distance_rank = 1
)

select * from final
