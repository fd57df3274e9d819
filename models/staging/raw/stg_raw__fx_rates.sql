with

base as (
    select * from {{ ref('base_raw__fx_rates') }}
    where row_status = 'staged'
),

renamed as (
    select
        upper(currency) as currency,
        rate_date,
        rate_to_reporting,
        record_source
    from base
)

select * from renamed
