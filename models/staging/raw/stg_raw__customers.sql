with

base as (
    select * from {{ ref('base_raw__customers') }}
    where row_status = 'staged'
),

renamed as (
    select
        customer_id,
        {{ normalize_email('email') }} as email,
        first_name,
        last_name,
        phone,
        birth_date,
        gender,
        marital_status,
        education,
        annual_income,
        job_title,
        company_name,
        industry,
        company_size,
        upper(country_code) as country_code,
        region,
        city,
        postal_code,
        latitude,
        longitude,
        timezone,
        lower(language) as language,
        lifecycle_stage,
        created_at,
        updated_at,
        record_source
    from base
)

select * from renamed
