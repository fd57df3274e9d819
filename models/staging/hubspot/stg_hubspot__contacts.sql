{#- HubSpot contacts as raw contract `customers` rows (text, staged by base_raw__customers):
    one per contact and export file, id `hubspot:<Record ID>`; a contact exported again is
    a new version by its last change (`Last Modified Date`, else `Last Activity Date`,
    else `Create Date`). Lifecycle stages map onto the contract's funnel by their labels
    (`Other` has none). `Country/Region` is free text in HubSpot: a two-letter code is
    kept, a name is looked up in seed country_names (Germany, Deutschland, USA, ...), and
    one it does not know is left out rather than guessed. The companies export, when
    there is one, fills the company name, industry and size a contact lacks: its associated
    company, else the company whose domain is the e-mail's (HubSpot's own rule). -#}
{%- set formats = ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d'] -%}
{#- ref() always, so that dbt orders the seed first in a build -#}
{%- set country_names_relation = ref('country_names') -%}
{%- set has_contacts = execute and target.type == 'duckdb'
    and tool_export_files(tool_export(source('hubspot', 'contacts_export'))) | length > 0 -%}
{%- if has_contacts and load_relation(country_names_relation) is none -%}
    {{ exceptions.raise_compiler_error(
        "The HubSpot contacts export needs seed country_names (its Country/Region names), "
        ~ "which is not loaded: run `dbt seed` first, or build with `dbt build` or "
        ~ "`custseg build`.") }}
{%- endif -%}
{%- set company_changed_at = tool_timestamp(
    'coalesce(last_modified_date, create_date)', formats
) -%}
with

contacts as (
    select * from {{ ref('base_hubspot__contacts_export') }}
),

company_rows as (
    select
        record_id,
        company_name,
        lower(trim(company_domain_name)) as company_domain,
        industry,
        number_of_employees,
        row_number() over (
            partition by record_id
            order by
                {{ company_changed_at }} desc nulls last,
                export_row desc
        ) as recency_rank
    from {{ ref('base_hubspot__companies_export') }}
    where record_id is not null
),

companies as (
    select * from company_rows
    where recency_rank = 1
),

domains as (
    {#- a domain two companies share names neither #}
    select
        company_domain,
        min(record_id) as record_id
    from companies
    where company_domain is not null
    group by company_domain
    having count(*) = 1
),

associated as (
    select
        contacts.*,
        coalesce(
            by_id.record_id, by_domain.record_id
        ) as company_record_id
    from contacts
    left join companies as by_id
        on trim({{ dbt.split_part(
            'coalesce(contacts.primary_associated_company_id, '
            ~ 'contacts.associated_company_id, contacts.associated_company_ids)',
            "';'", 1) }}) = by_id.record_id
    left join domains as by_domain
        on lower({{ dbt.split_part('contacts.email', "'@'", 2) }}) = by_domain.company_domain
),

enriched as (
    select
        associated.*,
        coalesce(associated.company_name, companies.company_name) as contact_company_name,
        coalesce(associated.industry, companies.industry) as contact_industry,
        coalesce(associated.number_of_employees, companies.number_of_employees)
            as contact_company_size
    from associated
    left join companies
        on associated.company_record_id = companies.record_id
),

country_names as (
    {#- the seed only when there is an export to look names up for: a build of staging
        alone (dbt run --select base_raw__customers) needs no seeds #}
    {%- if has_contacts %}
    select
        country_name,
        country_code
    from {{ country_names_relation }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as country_name,
        cast(null as {{ dbt.type_string() }}) as country_code
    where false
    {%- endif %}
),

final as (
    select
        {{ dbt.concat(["'hubspot:'", 'enriched.record_id']) }} as customer_id,
        enriched.email,
        enriched.first_name,
        enriched.last_name,
        enriched.phone_number as phone,
        enriched.job_title,
        enriched.contact_company_name as company_name,
        enriched.contact_industry as industry,
        enriched.contact_company_size as company_size,
        case
            when {{ regex_matches('trim(enriched.country_region)', '^[A-Za-z]{2}$') }}
                then upper(trim(enriched.country_region))
            else country_names.country_code
        end as country_code,
        enriched.state_region as region,
        enriched.city,
        enriched.postal_code,
        case replace(replace(lower(enriched.lifecycle_stage), ' ', ''), '_', '')
            when 'subscriber' then 'subscriber'
            when 'lead' then 'lead'
            when 'marketingqualifiedlead' then 'mql'
            when 'salesqualifiedlead' then 'sql'
            when 'opportunity' then 'opportunity'
            when 'customer' then 'customer'
            when 'evangelist' then 'evangelist'
        end as lifecycle_stage,
        {{ tool_timestamp('enriched.create_date', formats) }} as created_at,
        {{ tool_timestamp(
            'coalesce(enriched.last_modified_date, enriched.last_activity_date, '
            ~ 'enriched.create_date)', formats
        ) }} as updated_at,
        enriched.export_file,
        enriched.export_row
    from enriched
    left join country_names
        on lower(trim(enriched.country_region)) = country_names.country_name
)

{{ contract_rows('customers', 'final', [
    'customer_id', 'email', 'first_name', 'last_name', 'phone', 'job_title', 'company_name',
    'industry', 'company_size', 'country_code', 'region', 'city', 'postal_code',
    'lifecycle_stage', 'created_at', 'updated_at',
], 'hubspot', ['export_file', 'export_row']) }}
