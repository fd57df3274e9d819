{#- One row per surviving customer: the CRM attributes of all its merged contacts, each
    attribute the latest non-null value by updated_at (ties: larger customer_id), so a
    newer contact's address wins while an older contact's birth date still fills a gap.
    created_at is the earliest of the contacts: the person's first appearance;
    record_sources lists where its contacts came from (landing, shopify, ...). -#}
{#- A table: eight models and sixteen tests read it. -#}
{{ config(materialized='table') }}
{%- set attributes = [
    'email', 'first_name', 'last_name', 'phone', 'birth_date', 'gender', 'marital_status',
    'education', 'annual_income', 'job_title', 'company_name', 'industry', 'company_size',
    'country_code', 'region', 'city', 'postal_code', 'latitude', 'longitude', 'timezone',
    'language', 'lifecycle_stage',
] %}
with

customers as (
    select * from {{ ref('stg_raw__customers') }}
),

customer_ids as (
    select
        customer_id,
        surviving_customer_id
    from {{ ref('int_customer_ids_resolved') }}
),

contacts as (
    select
        customer_ids.surviving_customer_id,
        customers.*
    from customers
    inner join customer_ids
        on customers.customer_id = customer_ids.customer_id
),

filled as (
    select
        surviving_customer_id,
        {%- for attribute in attributes %}
        {{ last_value_ignore_nulls(attribute) }} over person_history as {{ attribute }},
        {%- endfor %}
        min(created_at) over person_history as created_at,
        max(updated_at) over person_history as updated_at,
        count(*) over person_history as contact_count,
        row_number() over (
            partition by surviving_customer_id
            order by updated_at desc, customer_id desc
        ) as history_rank
    from contacts
    window person_history as (
        partition by surviving_customer_id
        order by updated_at asc, customer_id asc
        rows between unbounded preceding and unbounded following
    )
),

sources as (
    select
        surviving_customer_id,
        {{ sorted_distinct_list('record_source') }} as record_sources
    from contacts
    group by surviving_customer_id
),

final as (
    select
        filled.surviving_customer_id as customer_id,
        {%- for attribute in attributes %}
        filled.{{ attribute }},
        {%- endfor %}
        filled.created_at,
        filled.updated_at,
        cast(filled.contact_count as {{ dbt.type_bigint() }}) as contact_count,
        sources.record_sources
    from filled
    inner join sources
        on filled.surviving_customer_id = sources.surviving_customer_id
    where filled.history_rank = 1
)

select * from final
