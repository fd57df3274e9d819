{#- The fitted CLV models: one row per model and parameter (mbg_nbd: r, alpha, a, b;
    gamma_gamma: p, q, gamma), time unit days. Fitted by the dbt Python model
    int_clv_model_fit on DuckDB; on engines where dbt Python models do not run, the same
    rows with null values and the reason. -#}
{%- set python_models_run = target.type == 'duckdb' %}
with

{% if python_models_run -%}
fitted as (
    select
        model_name,
        parameter,
        value,
        time_unit,
        n_customers,
        log_likelihood,
        converged,
        reason
    from {{ ref('int_clv_model_fit') }}
),
{%- else -%}
fitted as (
    {%- for model_name, parameter in [
        ('mbg_nbd', 'r'), ('mbg_nbd', 'alpha'), ('mbg_nbd', 'a'), ('mbg_nbd', 'b'),
        ('gamma_gamma', 'p'), ('gamma_gamma', 'q'), ('gamma_gamma', 'gamma'),
    ] %}
    select
        '{{ model_name }}' as model_name,
        '{{ parameter }}' as parameter,
        cast(null as double) as value,
        'days' as time_unit,
        cast(null as {{ dbt.type_bigint() }}) as n_customers,
        cast(null as double) as log_likelihood,
        false as converged,
        'CLV is fitted by dbt Python models, which do not run on target type {{ target.type }}'
            as reason
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),
{%- endif %}

final as (
    select
        model_name,
        parameter,
        cast(value as double) as value,  -- noqa: RF04
        time_unit,
        cast(n_customers as {{ dbt.type_bigint() }}) as n_customers,
        cast(log_likelihood as double) as log_likelihood,
        converged,
        reason
    from fitted
)

select * from final
