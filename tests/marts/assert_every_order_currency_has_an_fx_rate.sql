-- Orders whose currency has no rate on or before their date are quarantined in
-- int_orders_without_fx_rate and left out of fct_orders. A warning, per currency, so the
-- missing rates get loaded; the orders themselves are never lost or converted to 0.
{{ config(severity='warn') }}

select
    currency,
    quarantine_reason,
    count(*) as order_count,
    min(ordered_date) as first_order_date,
    max(ordered_date) as last_order_date
from {{ ref('int_orders_without_fx_rate') }}
group by currency, quarantine_reason
