{#- The attributes lead fit is scored on, one row per surviving customer and attribute
    (long format, so the editable seed lead_scoring_rules can add points for any value
    of them): job role and seniority, industry, company size band and country. -#}
{#- A table: its tests recomputed the job-title mapping for each. -#}
{{ config(materialized='table') }}
with

customers as (
    select
        customer_id,
        job_title,
        industry,
        country_code
    from {{ ref('int_customers_merged') }}
),

bands as (
    select
        customer_id,
        company_size_band
    from {{ ref('int_customers_banded') }}
),

roles as (
    select
        job_title,
        job_role,
        seniority
    from {{ ref('int_job_titles_mapped_to_roles') }}
),

attributes as (
    select
        customers.customer_id,
        roles.job_role,
        roles.seniority as job_seniority,
        customers.industry,
        bands.company_size_band,
        customers.country_code
    from customers
    inner join bands
        on customers.customer_id = bands.customer_id
    left join roles
        on customers.job_title = roles.job_title
),

unpivoted as (
    select
        customer_id,
        'job_role' as attribute_name,
        job_role as attribute_value
    from attributes
    union all
    select
        customer_id,
        'job_seniority' as attribute_name,
        job_seniority as attribute_value
    from attributes
    union all
    select
        customer_id,
        'industry' as attribute_name,
        industry as attribute_value
    from attributes
    union all
    select
        customer_id,
        'company_size_band' as attribute_name,
        company_size_band as attribute_value
    from attributes
    union all
    select
        customer_id,
        'country_code' as attribute_name,
        country_code as attribute_value
    from attributes
),

final as (
    select
        customer_id,
        attribute_name,
        attribute_value
    from unpivoted
    where attribute_value is not null
)

select * from final
