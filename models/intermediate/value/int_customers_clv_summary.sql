{#- The CLV models' input, per customer with a valid purchase, in the conventions of the
    reference implementation (lifetimes, daily frequency): a purchase occasion is a
    distinct purchase day valued at that day's total; frequency = purchase days after the
    first; recency = days from the first to the last purchase day; T = days from the
    first purchase day to as_of_date; monetary_value = mean value of the repeat purchase
    days (first day excluded; null without repeat purchases).
    Orders without an FX rate (fct_orders.fx_status 'missing_fx_rate') are purchases like
    any other for frequency, recency and T (BG/NBD). Their amounts are unknown, never 0: a
    day with any such order has no known total, so monetary_value averages only the repeat
    days whose every order has a known amount (monetary_frequency of them; null when there
    is none, which leaves the customer out of the Gamma-Gamma fit), and historical_revenue
    adds up the known amounts only (null when none is known). -#}
with

purchase_days as (
    select
        customer_id,
        ordered_date as purchase_date,
        {#- sum ignores the unknown amounts: the day's known part #}
        sum(order_total_reporting) as known_day_total,
        count(case when fx_status = 'missing_fx_rate' then 1 end) as unconverted_order_count
    from {{ ref('int_orders_enriched') }}
    where is_valid_purchase
    group by customer_id, ordered_date
),

numbered as (
    select
        customer_id,
        purchase_date,
        known_day_total,
        unconverted_order_count,
        case when unconverted_order_count = 0 then known_day_total end as day_total,
        row_number() over (partition by customer_id order by purchase_date) as day_number
    from purchase_days
),

summarised as (
    select
        customer_id,
        count(*) - 1 as frequency,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        avg(case when day_number > 1 then day_total end) as monetary_value,
        count(case when day_number > 1 then day_total end) as monetary_frequency,
        sum(known_day_total) as historical_revenue,
        sum(unconverted_order_count) as unconverted_purchase_count
    from numbered
    group by customer_id
),

final as (
    select
        customer_id,
        cast(frequency as {{ dbt.type_bigint() }}) as frequency,
        cast(
            {{ dbt.datediff('first_purchase_date', 'last_purchase_date', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as recency,
        cast(
            {{ dbt.datediff('first_purchase_date', as_of_date(), 'day') }}
            as {{ dbt.type_bigint() }}
        ) as t,
        cast(monetary_value as double) as monetary_value,
        cast(historical_revenue as decimal(18, 2)) as historical_revenue,
        first_purchase_date,
        last_purchase_date,
        cast(monetary_frequency as {{ dbt.type_bigint() }}) as monetary_frequency,
        cast(unconverted_purchase_count as {{ dbt.type_bigint() }}) as unconverted_purchase_count
    from summarised
)

select * from final
