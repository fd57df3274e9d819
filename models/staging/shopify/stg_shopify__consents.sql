{#- Checkout's `Accepts Marketing` as raw contract `consents` rows (text, staged by
    base_raw__consents), when var shopify_accepts_marketing_is_consent: e-mail marketing
    granted (yes) or denied (no) at the order's time, source shopify_checkout. The latest
    record per customer and purpose wins, against every source's. -#}
with

orders as (
    select * from {{ ref('stg_shopify__order_rows') }}
    where
        line_number = 1
        and name is not null
        and customer_id is not null
        and lower(order_accepts_marketing) in ('yes', 'no', 'true', 'false')
        and {{ 'true' if var('shopify_accepts_marketing_is_consent') else 'false' }}
),

final as (
    select
        customer_id,
        'email_marketing' as purpose,
        case
            when lower(order_accepts_marketing) in ('yes', 'true') then 'granted' else 'denied'
        end as status,
        ordered_at as recorded_at,
        'shopify_checkout' as source,  -- noqa: RF04
        export_file,
        export_row
    from orders
)

{{ contract_rows('consents', 'final', [
    'customer_id', 'purpose', 'status', 'recorded_at', 'source',
], 'shopify', ['export_file', 'export_row']) }}
