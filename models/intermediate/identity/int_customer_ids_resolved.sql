{#- Every staged CRM contact mapped to the customer it belongs to. Contacts that share a
    normalised email are one person (var merge_contacts_by_email): the survivor is the
    contact created first, ties to the smallest customer_id. A person any of whose contacts
    asked for erasure is left out entirely, so nothing downstream that joins through this
    map can carry them. -#}
with

customers as (
    select
        customer_id,
        email,
        created_at
    from {{ ref('stg_raw__customers') }}
),

erasure_requests as (
    select customer_id
    from {{ ref('stg_raw__erasure_requests') }}
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
        person_key,
        first_value(customer_id) over (
            partition by person_key
            order by created_at, customer_id
            rows between unbounded preceding and unbounded following
        ) as surviving_customer_id
    from grouped
),

erased_people as (
    select distinct survivors.person_key
    from survivors
    inner join erasure_requests
        on survivors.customer_id = erasure_requests.customer_id
),

final as (
    select
        survivors.customer_id,
        survivors.surviving_customer_id,
        survivors.customer_id = survivors.surviving_customer_id as is_survivor
    from survivors
    left join erased_people
        on survivors.person_key = erased_people.person_key
    where erased_people.person_key is null
)

select * from final
