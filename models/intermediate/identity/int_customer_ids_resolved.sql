{#- Every staged CRM contact mapped to the customer it belongs to. Contacts that share a
    normalised email are one person (var merge_contacts_by_email): the survivor is the
    contact created first, ties to the smallest customer_id. People who asked for erasure
    never reach this model: staging erases them (macro stage_raw_table). -#}
{#- A table: nine models and six tests read it. -#}
{{ config(materialized='table') }}
with

customers as (
    select
        customer_id,
        email,
        created_at
    from {{ ref('stg_raw__customers') }}
),

grouped as (
    select
        customer_id,
        created_at,
        {% if var('merge_contacts_by_email') -%}
        case
            when email is null then concat('id:', customer_id)
            else concat('email:', email)
        end
        {%- else -%}
        concat('id:', customer_id)
        {%- endif %} as person_key
    from customers
),

survivors as (
    select
        customer_id,
        first_value(customer_id) over (
            partition by person_key
            order by created_at, customer_id
            rows between unbounded preceding and unbounded following
        ) as surviving_customer_id
    from grouped
),

final as (
    select
        customer_id,
        surviving_customer_id,
        customer_id = surviving_customer_id as is_survivor
    from survivors
)

select * from final
