{#- The only relation with raw personal data: one row per surviving customer, from its
    merged CRM contacts (int_customers_merged). Every other mart carries no raw PII; where
    an export needs a matchable identifier it uses email_sha256 (macro hash_email). -#}
with

customers as (
    select
        customer_id,
        email,
        first_name,
        last_name,
        phone,
        birth_date,
        company_name,
        postal_code
    from {{ ref('int_customers_merged') }}
),

final as (
    select
        customer_id,
        email,
        {{ hash_email('email') }} as email_sha256,
        first_name,
        last_name,
        phone,
        birth_date,
        company_name,
        postal_code
    from customers
)

select * from final
