{#- HubSpot contacts as raw contract `customers` rows (text, staged by base_raw__customers):
    one per contact and export file, id `hubspot:<Record ID>`; a contact exported again is
    a new version by its last change (`Last Modified Date`, else `Last Activity Date`,
    else `Create Date`). Lifecycle stages map onto the contract's funnel by their labels
    (`Other` has none). `Country/Region` is kept when it is a two-letter code; HubSpot's
    free-text country names are left out rather than guessed. -#}
{%- set formats = ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d'] -%}
with

contacts as (
    select * from {{ ref('base_hubspot__contacts_export') }}
),

final as (
    select
        {{ dbt.concat(["'hubspot:'", 'record_id']) }} as customer_id,
        email,
        first_name,
        last_name,
        phone_number as phone,
        job_title,
        company_name,
        industry,
        number_of_employees as company_size,
        case
            when {{ regex_matches('trim(country_region)', '^[A-Za-z]{2}$') }}
                then upper(trim(country_region))
        end as country_code,
        state_region as region,
        city,
        postal_code,
        case replace(replace(lower(lifecycle_stage), ' ', ''), '_', '')
            when 'subscriber' then 'subscriber'
            when 'lead' then 'lead'
            when 'marketingqualifiedlead' then 'mql'
            when 'salesqualifiedlead' then 'sql'
            when 'opportunity' then 'opportunity'
            when 'customer' then 'customer'
            when 'evangelist' then 'evangelist'
        end as lifecycle_stage,
        {{ tool_timestamp('create_date', formats) }} as created_at,
        {{ tool_timestamp(
            'coalesce(last_modified_date, last_activity_date, create_date)', formats
        ) }} as updated_at,
        export_file,
        export_row
    from contacts
)

{{ contract_rows('customers', 'final', [
    'customer_id', 'email', 'first_name', 'last_name', 'phone', 'job_title', 'company_name',
    'industry', 'company_size', 'country_code', 'region', 'city', 'postal_code',
    'lifecycle_stage', 'created_at', 'updated_at',
], 'hubspot', ['export_file', 'export_row']) }}
