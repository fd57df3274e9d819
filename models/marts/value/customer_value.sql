{#- Lifetime value per customer with a valid purchase: the CLV model inputs, MBG/NBD and
    Gamma-Gamma predictions (probability alive, expected purchases and value per
    purchase, 12-month CLV discounted monthly by var clv_monthly_discount_rate), the
    historical value, a value tier by predicted CLV and a churn-risk band from p_alive.
    MBG/NBD (not BG/NBD) so that one-time buyers get a p_alive below 1 that falls with
    their silence (DECISIONLOG.md). Predictions are null, with the reason, when the models
    could not be fitted or cannot run on the target engine. -#}
{%- set python_models_run = target.type == 'duckdb' %}
with

summary as (
    select * from {{ ref('int_customers_clv_summary') }}
),

{% if python_models_run -%}
predictions as (
    select * from {{ ref('int_clv_predictions') }}
),

fit_reasons as (
    select
        max(case when model_name = 'mbg_nbd' then reason end) as mbg_nbd_reason,
        max(case when model_name = 'gamma_gamma' then reason end) as gamma_gamma_reason
    from {{ ref('int_clv_model_fit') }}
),

predicted as (
    select
        summary.customer_id,
        predictions.p_alive,
        predictions.expected_purchases_90d,
        predictions.expected_purchases_365d,
        predictions.expected_average_order_value,
        predictions.predicted_clv_12m,
        case
            when predictions.predicted_clv_12m is null
                then coalesce(fit_reasons.mbg_nbd_reason, fit_reasons.gamma_gamma_reason)
        end as prediction_missing_reason
    from summary
    left join predictions
        on summary.customer_id = predictions.customer_id
    cross join fit_reasons
),
{%- else -%}
predicted as (
    select
        customer_id,
        cast(null as double) as p_alive,
        cast(null as double) as expected_purchases_90d,
        cast(null as double) as expected_purchases_365d,
        cast(null as double) as expected_average_order_value,
        cast(null as double) as predicted_clv_12m,
        'CLV is fitted by dbt Python models, which do not run on target type {{ target.type }}'
            as prediction_missing_reason
    from summary
),
{%- endif %}

{# A repeat buyer none of whose repeat days has a known amount (orders without an FX
   rate) has no monetary_value: the spend predictions are unknown, not 0. #}
spend_unknown as (
    select
        customer_id,
        frequency > 0 and monetary_value is null as has_unknown_spend
    from summary
),

valued as (
    select
        predicted.customer_id,
        predicted.p_alive,
        predicted.expected_purchases_90d,
        predicted.expected_purchases_365d,
        case
            when not spend_unknown.has_unknown_spend then predicted.expected_average_order_value
        end as expected_average_order_value,
        case
            when not spend_unknown.has_unknown_spend then predicted.predicted_clv_12m
        end as predicted_clv_12m,
        case
            when spend_unknown.has_unknown_spend
                then 'no repeat purchase day with a known amount (orders without an FX rate)'
            else predicted.prediction_missing_reason
        end as prediction_missing_reason
    from predicted
    inner join spend_unknown
        on predicted.customer_id = spend_unknown.customer_id
),

{#- cume_dist() over predicted_clv_12m descending, among the customers who have one, by
    counting (macro rank_by_counting): no window holds every customer (one Spark task) #}
{{ rank_by_counting(
    'clv_ranks', 'valued', [], '-1 * predicted_clv_12m', 'floor(ranked_value)'
) }},

ranked as (
    select
        valued.*,
        cast(clv_ranks.rows_before + clv_ranks.ties as double) / clv_ranks.partition_rows
            as clv_cume_dist
    from valued
    left join clv_ranks
        on -1 * valued.predicted_clv_12m = clv_ranks.ranked_value
),

final as (
    select
        summary.customer_id,
        {{ as_of_date() }} as as_of_date,
        summary.frequency,
        summary.recency,
        summary.t,
        summary.monetary_value,
        summary.first_purchase_date,
        summary.last_purchase_date,
        summary.historical_revenue as historical_clv,
        summary.unconverted_purchase_count,
        cast(ranked.p_alive as double) as p_alive,
        cast(ranked.expected_purchases_90d as double) as expected_purchases_90d,
        cast(ranked.expected_purchases_365d as double)
            as expected_purchases_365d,
        cast(ranked.expected_average_order_value as double)
            as expected_average_order_value,
        cast(ranked.predicted_clv_12m as double) as predicted_clv_12m,
        case
            when ranked.predicted_clv_12m is null then null
            when ranked.clv_cume_dist <= 0.01 then 'top_1_percent'
            when ranked.clv_cume_dist <= 0.10 then 'top_10_percent'
            when ranked.clv_cume_dist <= 0.50 then 'next_40_percent'
            else 'rest'
        end as value_tier,
        case
            when ranked.p_alive is null then null
            when ranked.p_alive < 0.3 then 'high'
            when ranked.p_alive < 0.7 then 'medium'
            else 'low'
        end as churn_risk_band,
        ranked.prediction_missing_reason
    from summary
    inner join ranked
        on summary.customer_id = ranked.customer_id
)

select * from final
