{#- Shopify products as raw contract `products` rows (text, staged by base_raw__products):
    - the products export, when there is one: one row per variant (the product's Title,
      Vendor, Type and Product Category from its first row), id `shopify:` and the
      Variant SKU, else the name the orders export gives a line without SKU (Title, and
      ` - <option>` for a variant that is not the default); category: Type, else the
      taxonomy's first level; subcategory: the taxonomy's last level when it has several;
      list price: compare-at price, else price. Rows of extra images (no variant) are not
      products;
    - every other product the orders export names (`Lineitem sku`, else `Lineitem name`),
      from its latest line item: name, vendor as brand, compare-at price (else the price
      paid) as list price, the order's currency. -#}
{%- set level_one = "regexp_extract(product_category, '^([^>]+)', 1)" %}
{%- set last_level = "regexp_extract(product_category, '([^>]+)$', 1)" %}
with

catalogue_rows as (
    select
        export_file,
        export_row,
        handle,
        variant_sku,
        option1_value,
        variant_price,
        variant_compare_at_price,
        max(title) over (partition by export_file, handle) as title,
        max(vendor) over (partition by export_file, handle) as vendor,
        max(type) over (partition by export_file, handle) as product_type,
        max(product_category) over (partition by export_file, handle) as product_category
    from {{ ref('base_shopify__products_export') }}
    where handle is not null
),

catalogue as (
    select
        {{ dbt.concat(["'shopify:'", "coalesce(variant_sku, case when option1_value is null "
            ~ "or option1_value = 'Default Title' then title else "
            ~ dbt.concat(['title', "' - '", 'option1_value']) ~ " end)"]) }} as product_id,
        title as product_name,
        coalesce(
            lower(trim(product_type)),
            lower(trim(nullif({{ level_one }}, '')))
        ) as category,
        case
            when product_category like '%>%' then lower(trim(nullif({{ last_level }}, '')))
        end as subcategory,
        vendor as brand,
        coalesce(variant_compare_at_price, variant_price) as list_price,
        cast(null as {{ dbt.type_string() }}) as currency,
        export_file,
        export_row
    from catalogue_rows
    where variant_sku is not null or variant_price is not null
),

lines as (
    select * from {{ ref('stg_shopify__order_rows') }}
    where coalesce(lineitem_sku, lineitem_name) is not null
),

ranked as (
    select
        lines.*,
        row_number() over (
            partition by coalesce(lines.lineitem_sku, lines.lineitem_name)
            order by lines.ordered_at desc, lines.export_row desc
        ) as recency_rank
    from lines
),

ordered as (
    select
        {{ dbt.concat(["'shopify:'", 'coalesce(lineitem_sku, lineitem_name)']) }} as product_id,
        lineitem_name as product_name,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as {{ dbt.type_string() }}) as subcategory,
        vendor as brand,
        coalesce(lineitem_compare_at_price, lineitem_price) as list_price,
        upper(order_currency) as currency,
        export_file,
        export_row
    from ranked
    where recency_rank = 1
),

final as (
    select * from catalogue
    union all
    select ordered.* from ordered
    where not exists (
            select 1 from catalogue
            where catalogue.product_id = ordered.product_id
        )
)

{{ contract_rows('products', 'final', [
    'product_id', 'product_name', 'category', 'subcategory', 'brand', 'list_price',
    'currency',
], 'shopify', ['export_file', 'export_row']) }}
