{#- The Shopify orders export, one row per export row (line item), with its order's
    order-level columns (filled on the order's first row in the file) on every row, typed
    where the mappings need it. An order exported in two files is two versions of it. -#}
{%- set order_columns = [
    'email', 'financial_status', 'paid_at', 'fulfillment_status', 'fulfilled_at',
    'accepts_marketing', 'currency', 'total', 'discount_code', 'discount_amount',
    'shipping', 'shipping_method', 'created_at', 'billing_name', 'billing_city',
    'billing_zip', 'billing_province', 'billing_country', 'billing_phone',
    'shipping_zip', 'cancelled_at', 'refunded_amount', 'source', 'phone', 'tags',
] %}
{#- var shopify_hubspot_id_tag_prefix as a regular expression: each character literally -#}
{%- set prefix = var('shopify_hubspot_id_tag_prefix') or '' %}
{%- set tag_pattern = [] %}
{%- for character in prefix %}
{%- do tag_pattern.append(character if character.isalnum() else '[' ~ character ~ ']') %}
{%- endfor %}

with

export_rows as (
    select * from {{ ref('base_shopify__orders_export') }}
),

orders as (
    select
        export_file,
        name,
        {%- for column in order_columns %}
        max({{ column }}) as order_{{ column }},
        {%- endfor %}
        min(export_row) as first_export_row
    from export_rows
    group by export_file, name
),

final as (
    select
        export_rows.export_file,
        export_rows.export_row,
        export_rows.name,
        row_number() over (
            partition by export_rows.export_file, export_rows.name
            order by export_rows.export_row
        ) as line_number,
        export_rows.lineitem_quantity,
        export_rows.lineitem_name,
        export_rows.lineitem_price,
        export_rows.lineitem_compare_at_price,
        export_rows.lineitem_sku,
        export_rows.vendor,
        {%- for column in order_columns %}
        orders.order_{{ column }},
        {%- endfor %}
        {{ normalize_email('orders.order_email') }} as normalized_email,
        {#- the buyer's id: the orders export has none; the e-mail itself must not be one #}
        case
            when {{ normalize_email('orders.order_email') }} is not null
                then {{ dbt.concat(["'shopify:'", hash_email('orders.order_email')]) }}
        end as buyer_id,
        {#- the order's customer: the HubSpot contact a tag names (var
            shopify_hubspot_id_tag_prefix), else the buyer by e-mail #}
        coalesce(
            {%- if prefix %}
            'hubspot:' || nullif(trim(regexp_extract(
                orders.order_tags, '(^|,)[ ]*{{ tag_pattern | join }}([^,]+)', 2
            )), ''),
            {%- endif %}
            case
                when {{ normalize_email('orders.order_email') }} is not null
                    then {{ dbt.concat(["'shopify:'", hash_email('orders.order_email')]) }}
            end
        ) as customer_id,
        {{ tool_timestamp('orders.order_created_at', '%Y-%m-%d %H:%M:%S %z') }} as ordered_at,
        nullif(greatest(
            {%- for column in ['created_at', 'paid_at', 'fulfilled_at', 'cancelled_at'] %}
            coalesce({{ tool_timestamp('orders.order_' ~ column, '%Y-%m-%d %H:%M:%S %z') }}, '')
            {{- ',' if not loop.last }}
            {%- endfor %}
        ), '') as updated_at
    from export_rows
    left join orders
        on
            export_rows.export_file = orders.export_file
            and export_rows.name = orders.name
)

select * from final
