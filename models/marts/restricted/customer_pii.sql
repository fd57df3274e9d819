{#- The only relation with raw personal data: one row per surviving customer, from the
    surviving contact's CRM record. Every other mart carries no raw PII; where an export
    needs a matchable identifier it uses email_sha256 (macro hash_email). -#}
with

customers as (
    select
        customer_id,
        email,
        first_name,
        last_name,
        phone,
        birth_date,
        postal_code
    from {{ ref('stg_raw__customers') }}
),

survivors as (
    select customer_id
    from {{ ref('int_customer_ids_resolved') }}
    where is_survivor
),

final as (
    select
        customers.customer_id,
        customers.email,
        {{ hash_email('customers.email') }} as email_sha256,
        customers.first_name,
        customers.last_name,
        customers.phone,
        customers.birth_date,
        customers.postal_code
    from customers
    inner join survivors
        on customers.customer_id = survivors.customer_id
)

select * from final
