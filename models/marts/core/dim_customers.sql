{#- One row per surviving, non-erased customer known by as_of_date (created by then, or
    with an order by then), carrying the attributes of every segmentation model. No raw
    PII: names, email, phone, birth date and company name are in restricted.customer_pii.
    Counts are 0 and rates null when there is no activity to count; value scores are null
    without a valid purchase (has_purchased false). -#}
{%- set consent_purposes = ['email_marketing', 'sms_marketing', 'personalized_ads', 'profiling'] %}
{%- set behaviour_counts = [
    'sessions_30d', 'sessions_90d', 'product_views_30d', 'product_views_90d',
    'searches_30d', 'searches_90d', 'cart_adds_30d', 'cart_adds_90d',
    'abandoned_carts_30d', 'abandoned_carts_90d',
] %}
with

customers as (
    select * from {{ ref('int_customers_merged') }}
),

known_customers as (
    select customer_id from {{ ref('int_customers_known_by_as_of') }}
),

profiles as (
    select * from {{ ref('int_customers_banded') }}
),

job_roles as (
    select * from {{ ref('int_job_titles_mapped_to_roles') }}
),

nearest_locations as (
    select * from {{ ref('int_customers_nearest_location') }}
),

locations as (
    select
        location_id,
        location_name
    from {{ ref('store_locations') }}
),

web_behaviour as (
    select * from {{ ref('int_customers_web_behaviour') }}
),

email_engagement as (
    select * from {{ ref('int_customers_email_engagement') }}
),

survey_answers as (
    select * from {{ ref('int_customers_survey_answers_pivoted') }}
),

consents as (
    select * from {{ ref('int_customers_consents_pivoted') }}
),

order_history as (
    select * from {{ ref('int_customers_order_history') }}
),

programmes as (
    select * from {{ ref('int_customers_programmes') }}
),

rfm as (
    select * from {{ ref('customer_rfm') }}
),

customer_value as (
    select * from {{ ref('customer_value') }}
),

lead_scores as (
    select * from {{ ref('customer_lead_scores') }}
),

known_by_as_of as (
    select customers.*
    from customers
    inner join known_customers
        on customers.customer_id = known_customers.customer_id
),


final as (
    select
        known_by_as_of.customer_id,
        {{ as_of_date() }} as as_of_date,

        -- demographic
        profiles.age,
        profiles.age_band,
        known_by_as_of.gender,
        known_by_as_of.marital_status,
        known_by_as_of.education,
        profiles.income_band,

        -- firmographic
        profiles.is_b2b,
        known_by_as_of.industry,
        known_by_as_of.company_size,
        profiles.company_size_band,
        known_by_as_of.job_title,
        job_roles.job_role,
        job_roles.seniority as job_seniority,
        job_roles.buyer_role,

        -- geographic
        known_by_as_of.country_code,
        known_by_as_of.region,
        known_by_as_of.city,
        known_by_as_of.postal_code,
        known_by_as_of.timezone,
        known_by_as_of.language,
        known_by_as_of.latitude,
        known_by_as_of.longitude,
        nearest_locations.nearest_location_id,
        locations.location_name as nearest_location_name,
        nearest_locations.nearest_location_distance_km,

        -- technographic
        web_behaviour.primary_device_type,
        web_behaviour.primary_os,
        web_behaviour.primary_browser,
        coalesce(web_behaviour.app_usage, 'none') as app_usage,
        web_behaviour.mobile_session_share,

        -- psychographic and needs (zero-party)
        survey_answers.interests,
        survey_answers.personal_values,
        survey_answers.personality,
        survey_answers.needs,
        survey_answers.budget,
        survey_answers.purchase_intent,
        survey_answers.preferred_channel,
        survey_answers.contact_frequency,
        survey_answers.nps_score,
        survey_answers.nps_category,

        -- behavioural
        cast(coalesce(web_behaviour.session_count, 0) as {{ dbt.type_bigint() }}) as session_count,
        {%- for column in behaviour_counts %}
        cast(coalesce(web_behaviour.{{ column }}, 0) as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        web_behaviour.last_visit_at,
        web_behaviour.days_since_last_visit,
        cast(coalesce(email_engagement.emails_delivered_90d, 0) as {{ dbt.type_bigint() }})
            as emails_delivered_90d,
        email_engagement.email_open_rate_90d,
        email_engagement.email_click_rate_90d,
        coalesce(email_engagement.has_unsubscribed, false) as has_unsubscribed_from_email,
        coalesce(email_engagement.has_bounced, false) as has_email_bounced,
        coalesce(email_engagement.has_complained, false) as has_email_complained,
        coalesce(programmes.review_count, 0) as review_count,
        programmes.average_rating,
        coalesce(programmes.is_loyalty_member, false) as is_loyalty_member,
        programmes.loyalty_tier,
        programmes.loyalty_points_balance,
        coalesce(programmes.events_registered, 0) as events_registered,
        coalesce(programmes.events_attended, 0) as events_attended,
        programmes.attended_event_cities,

        -- lifecycle
        known_by_as_of.lifecycle_stage,
        known_by_as_of.created_at as customer_since,
        cast(
            greatest(
                {{ dbt.datediff('cast(known_by_as_of.created_at as date)', as_of_date(), 'day') }},
                0
            ) as {{ dbt.type_bigint() }}
        ) as customer_tenure_days,
        known_by_as_of.contact_count as merged_contact_count,
        known_by_as_of.record_sources,
        cast(coalesce(order_history.order_count, 0) as {{ dbt.type_bigint() }}) as order_count,
        cast(coalesce(order_history.purchase_count, 0) as {{ dbt.type_bigint() }})
            as purchase_count,
        order_history.first_purchase_date,
        order_history.last_purchase_date,
        cast(
            {{ dbt.datediff('order_history.last_purchase_date', as_of_date(), 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_since_last_purchase,

        -- consent (latest record by event time; none = not consented)
        {%- for purpose in consent_purposes %}
        coalesce(consents.{{ purpose }}_consent_status, 'none') as {{ purpose }}_consent_status,
        coalesce(consents.has_{{ purpose }}_consent, false) as has_{{ purpose }}_consent,
        {%- endfor %}

        -- situational
        order_history.last_purchase_delivery_speed,
        order_history.last_purchase_channel,
        order_history.last_purchase_category,
        order_history.largest_purchase_quantity_90d,
        order_history.discounted_purchase_share,

        -- value-based (null without a valid purchase)
        coalesce(order_history.purchase_count, 0) > 0 as has_purchased,
        cast(coalesce(order_history.unconverted_purchase_count, 0) as {{ dbt.type_bigint() }})
            as unconverted_purchase_count,
        rfm.recency_days,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        rfm.rfm_cell,
        rfm.rfm_segment,
        customer_value.historical_clv,
        customer_value.p_alive,
        customer_value.expected_purchases_365d,
        customer_value.predicted_clv_12m,
        customer_value.value_tier,
        customer_value.churn_risk_band,

        -- lead scoring and sales funnel
        lead_scores.lead_score,
        lead_scores.lead_score_band,
        lead_scores.funnel_stage
    from known_by_as_of
    inner join profiles
        on known_by_as_of.customer_id = profiles.customer_id
    left join job_roles
        on known_by_as_of.job_title = job_roles.job_title
    left join nearest_locations
        on known_by_as_of.customer_id = nearest_locations.customer_id
    left join locations
        on nearest_locations.nearest_location_id = locations.location_id
    left join web_behaviour
        on known_by_as_of.customer_id = web_behaviour.customer_id
    left join email_engagement
        on known_by_as_of.customer_id = email_engagement.customer_id
    left join survey_answers
        on known_by_as_of.customer_id = survey_answers.customer_id
    left join consents
        on known_by_as_of.customer_id = consents.customer_id
    left join order_history
        on known_by_as_of.customer_id = order_history.customer_id
    left join programmes
        on known_by_as_of.customer_id = programmes.customer_id
    left join rfm
        on known_by_as_of.customer_id = rfm.customer_id
    left join customer_value
        on known_by_as_of.customer_id = customer_value.customer_id
    left join lead_scores
        on known_by_as_of.customer_id = lead_scores.customer_id
)

select * from final
