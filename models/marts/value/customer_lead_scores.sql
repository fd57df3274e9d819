{#- Lead score and sales-funnel stage per surviving customer known by as_of_date.
    fit_score: points of the editable seed lead_scoring_rules for who they are (role, seniority, industry, company
    size, country); engagement_score: the seed's points per activity, each halving every
    var lead_score_half_life_days days before as_of_date. The funnel stage is the furthest
    of what the CRM says, what the score says (marketing-qualified at or above var
    lead_score_mql_threshold) and what they did (a valid purchase makes a customer): nobody
    is moved backwards, least of all someone who has purchased. -#}
{%- set stages = [
    'subscriber', 'lead', 'marketing_qualified', 'sales_qualified', 'opportunity',
    'customer', 'evangelist',
] %}
{%- set crm_stages = {
    'subscriber': 1, 'lead': 2, 'mql': 3, 'sql': 4, 'opportunity': 5, 'customer': 6,
    'evangelist': 7,
} %}
{%- set threshold = var('lead_score_mql_threshold') %}
with

customers as (
    select
        customer_id,
        lifecycle_stage
    from {{ ref('int_customers_merged') }}
),

known_customers as (
    select customer_id
    from {{ ref('int_customers_known_by_as_of') }}
),

purchases as (
    select
        customer_id,
        purchase_count
    from {{ ref('int_customers_order_history') }}
),

rules as (
    select
        score_type,
        attribute_name,
        attribute_value,
        points
    from {{ ref('lead_scoring_rules') }}
),

fit_attributes as (
    select * from {{ ref('int_customers_lead_fit_attributes') }}
),

engagement_events as (
    select * from {{ ref('int_customers_engagement_events') }}
),

fit_scores as (
    select
        fit_attributes.customer_id,
        sum(rules.points) as fit_score
    from fit_attributes
    inner join rules
        on
            rules.score_type = 'fit'
            and fit_attributes.attribute_name = rules.attribute_name
            and fit_attributes.attribute_value = rules.attribute_value
    group by fit_attributes.customer_id
),

engagement_scores as (
    select
        engagement_events.customer_id,
        sum(
            rules.points * engagement_events.quantity * power(
                0.5,
                {{ dbt.datediff('engagement_events.activity_date', as_of_date(), 'day') }}
                / {{ var('lead_score_half_life_days') }}
            )
        ) as engagement_score
    from engagement_events
    inner join rules
        on
            rules.score_type = 'engagement'
            and engagement_events.activity = rules.attribute_name
    group by engagement_events.customer_id
),

scored as (
    select
        customers.customer_id,
        customers.lifecycle_stage,
        coalesce(purchases.purchase_count, 0) > 0 as has_purchased,
        cast(coalesce(fit_scores.fit_score, 0) as decimal(10, 2)) as fit_score,
        cast(coalesce(engagement_scores.engagement_score, 0) as decimal(10, 2))
            as engagement_score
    from customers
    inner join known_customers
        on customers.customer_id = known_customers.customer_id
    left join purchases
        on customers.customer_id = purchases.customer_id
    left join fit_scores
        on customers.customer_id = fit_scores.customer_id
    left join engagement_scores
        on customers.customer_id = engagement_scores.customer_id
),

staged as (
    select
        *,
        fit_score + engagement_score as lead_score,
        case lifecycle_stage
            {%- for crm_stage, rank in crm_stages.items() %}
            when '{{ crm_stage }}' then {{ rank }}
            {%- endfor %}
            else 1
        end as crm_stage_rank,
        case when fit_score + engagement_score >= {{ threshold }} then 3 else 1 end
            as score_stage_rank,
        case when has_purchased then 6 else 1 end as purchase_stage_rank
    from scored
),

final as (
    select
        customer_id,
        fit_score,
        engagement_score,
        lead_score,
        case
            when lead_score >= 1.5 * {{ threshold }} then 'hot'
            when lead_score >= {{ threshold }} then 'warm'
            when lead_score >= 0.5 * {{ threshold }} then 'cool'
            else 'cold'
        end as lead_score_band,
        lifecycle_stage as crm_lifecycle_stage,
        has_purchased,
        case greatest(crm_stage_rank, score_stage_rank, purchase_stage_rank)
            {%- for stage in stages %}
            when {{ loop.index }} then '{{ stage }}'
            {%- endfor %}
        end as funnel_stage,
        cast(
            greatest(crm_stage_rank, score_stage_rank, purchase_stage_rank)
            as {{ dbt.type_int() }}
        ) as funnel_stage_rank
    from staged
)

select * from final
