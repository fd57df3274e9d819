{#- Orders that cannot be reported: their currency has no rate on or before the order
    date. They are kept here, with the reason, instead of being converted to 0 or null;
    fct_orders leaves them out. -#}
with

converted as (
    select
        order_id,
        currency,
        ordered_date
    from {{ ref('int_orders_converted_to_reporting_currency') }}
    where not has_fx_rate
),

final as (
    select
        order_id,
        currency,
        ordered_date,
        concat('missing_fx_rate:', currency) as quarantine_reason
    from converted
)

select * from final
