{#- Shopify orders as raw contract `orders` rows (text, staged by base_raw__orders): one per
    order and export file (an order exported again is a new version when it changed).
    status: cancelled when `Cancelled at` is set or the payment was voided; returned when
    refunded in full; a purchase (paid, shipped when partly fulfilled, completed when
    fulfilled) when the financial status is one of var shopify_purchase_financial_statuses;
    placed otherwise (pending, authorized, expired: not a purchase). order_total: `Total`
    less `Refunded Amount` when var shopify_refunds_reduce_value. The customer: the HubSpot
    contact an order tag names (var shopify_hubspot_id_tag_prefix, e.g. hubspot:101), else
    the buyer by e-mail (a guest checkout too); an order with neither has no customer_id
    (quarantined). -#}
{%- set purchases = "'" ~ var('shopify_purchase_financial_statuses') | join("', '") ~ "'" -%}
{%- set money = {'name': 'order_total', 'type': 'decimal(14,2)'} -%}
with

order_rows as (
    select * from {{ ref('stg_shopify__order_rows') }}
    where line_number = 1 and name is not null
),

final as (
    select
        {{ dbt.concat(["'shopify:'", 'name']) }} as order_id,
        customer_id,
        ordered_at,
        case
            when order_cancelled_at is not null or lower(order_financial_status) = 'voided'
                then 'cancelled'
            when lower(order_financial_status) = 'refunded' then 'returned'
            when lower(order_financial_status) in ({{ purchases }})
                then case lower(order_fulfillment_status)
                        when 'fulfilled' then 'completed'
                        when 'partial' then 'shipped'
                        else 'paid'
                    end
            else 'placed'
        end as status,
        upper(order_currency) as currency,
        {%- if var('shopify_refunds_reduce_value') %}
        case
            when {{ parse_contract_value('order_total', money) }} is not null
                then cast(greatest(
                        {{ parse_contract_value('order_total', money) }}
                        - coalesce({{ parse_contract_value('order_refunded_amount', money) }}, 0),
                        0
                    ) as {{ dbt.type_string() }})
            else order_total
        end as order_total,
        {%- else %}
        order_total,
        {%- endif %}
        order_discount_amount as discount_total,
        order_shipping as shipping_total,
        case lower(order_source)
            when 'web' then 'web'
            when 'pos' then 'store'
            when 'iphone' then 'app'
            when 'android' then 'app'
            when 'shopify_draft_order' then 'phone'
            else case when order_source is not null then 'marketplace' end
        end as channel,
        cast(null as {{ dbt.type_string() }}) as device_type,
        case
            when order_shipping_method is null then null
            when lower(order_shipping_method) like '%same day%'
                or lower(order_shipping_method) like '%same-day%' then 'same_day'
            when lower(order_shipping_method) like '%pick%up%' then 'pickup'
            when lower(order_shipping_method) like '%express%'
                or lower(order_shipping_method) like '%next day%'
                or lower(order_shipping_method) like '%overnight%' then 'express'
            else 'standard'
        end as delivery_speed,
        order_discount_code as coupon_code,
        {#- Shopify writes a zip with a leading ' so that spreadsheets keep its zeros -#}
        regexp_replace(order_shipping_zip, '^''+', '') as shipping_postal_code,
        updated_at,
        export_file,
        export_row
    from order_rows
)

{{ contract_rows('orders', 'final', [
    'order_id', 'customer_id', 'ordered_at', 'status', 'currency', 'order_total',
    'discount_total', 'shipping_total', 'channel', 'device_type', 'delivery_speed',
    'coupon_code', 'shipping_postal_code', 'updated_at',
], 'shopify', ['export_file', 'export_row']) }}
