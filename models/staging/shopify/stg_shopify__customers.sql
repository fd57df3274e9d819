{#- Shopify buyers as raw contract `customers` rows (text, staged by base_raw__customers):
    one per normalised e-mail (guest checkouts too; the orders export has no customer id),
    id `shopify:` and the SHA-256 of the e-mail (macro hash_email; no e-mail in an id). Name, phone and address from the buyer's latest order's billing
    columns; created_at: the first order, updated_at: the latest order's last change. No
    lifecycle stage: a valid purchase makes a customer in the funnel already
    (customer_lead_scores), and a stage written here, newer than the CRM's, would take
    an evangelist back to customer in the merge (the latest non-null attribute wins).
    Identity resolution merges them with the same person from other sources by e-mail. -#}
with

orders as (
    select * from {{ ref('stg_shopify__order_rows') }}
    where line_number = 1 and name is not null and normalized_email is not null
),

ranked as (
    select
        orders.*,
        row_number() over (
            partition by orders.buyer_id order by orders.ordered_at desc, orders.export_row desc
        ) as recency_rank,
        min(orders.ordered_at) over (partition by orders.buyer_id) as first_ordered_at,
        max(orders.updated_at) over (partition by orders.buyer_id) as last_updated_at
    from orders
),

final as (
    select
        buyer_id as customer_id,
        order_email as email,
        {{ dbt.split_part('order_billing_name', "' '", 1) }} as first_name,
        nullif(trim(substr(
            order_billing_name,
            length({{ dbt.split_part('order_billing_name', "' '", 1) }}) + 1
        )), '') as last_name,
        coalesce(order_billing_phone, order_phone) as phone,
        upper(order_billing_country) as country_code,
        order_billing_province as region,
        order_billing_city as city,
        regexp_replace(order_billing_zip, '^''+', '') as postal_code,
        first_ordered_at as created_at,
        last_updated_at as updated_at
    from ranked
    where recency_rank = 1
)

{{ contract_rows('customers', 'final', [
    'customer_id', 'email', 'first_name', 'last_name', 'phone', 'country_code', 'region',
    'city', 'postal_code', 'created_at', 'updated_at',
], 'shopify') }}
