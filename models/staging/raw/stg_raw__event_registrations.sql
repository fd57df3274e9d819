with

base as (
    select * from {{ ref('base_raw__event_registrations') }}
    where row_status = 'staged'
),

renamed as (
    select
        registration_id,
        customer_id,
        event_name,
        event_type,
        event_city,
        event_date,
        registered_at,
        attended as has_attended,
        record_source
    from base
)

select * from renamed
