{#- Orders whose amounts cannot be reported: their currency has no rate on or before the
    order date. Listed here for review, with the reason; they are never converted to 0.
    fct_orders keeps them as purchases with null reporting amounts (fx_status
    'missing_fx_rate'). -#}
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
