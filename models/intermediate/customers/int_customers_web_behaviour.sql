{#- Per surviving customer with at least one attributed session up to as_of_date: recent
    behaviour (last 30 and 90 days, as_of_date included) and technographics over all their
    sessions. The primary device type, OS and browser are the most frequent (ties: the
    most recently used). -#}
{%- set windows = [30, 90] %}
{%- set technographics = ['device_type', 'os', 'browser'] %}
with

sessions as (
    select
        customer_id,
        session_date,
        started_at,
        device_type,
        os,
        browser,
        is_app_session,
        is_mobile_session,
        product_views,
        searches,
        cart_adds,
        is_abandoned_cart
    from {{ ref('int_web_events_aggregated_to_sessions') }}
    where customer_id is not null
),

activity as (
    select
        customer_id,
        count(*) as session_count,
        count(case when is_app_session then 1 end) as app_session_count,
        count(case when is_mobile_session then 1 end) as mobile_session_count,
        {%- for days in windows %}
        count(case when session_date > {{ days_before_as_of(days) }} then 1 end)
            as sessions_{{ days }}d,
        sum(case when session_date > {{ days_before_as_of(days) }} then product_views else 0 end)
            as product_views_{{ days }}d,
        sum(case when session_date > {{ days_before_as_of(days) }} then searches else 0 end)
            as searches_{{ days }}d,
        sum(case when session_date > {{ days_before_as_of(days) }} then cart_adds else 0 end)
            as cart_adds_{{ days }}d,
        count(
            case when session_date > {{ days_before_as_of(days) }} and is_abandoned_cart then 1 end
        ) as abandoned_carts_{{ days }}d,
        {%- endfor %}
        max(started_at) as last_visit_at
    from sessions
    group by customer_id
),
{%- for attribute in technographics %}

{{ attribute }}_ranked as (
    select
        customer_id,
        {{ attribute }},
        row_number() over (
            partition by customer_id
            order by count(*) desc, max(started_at) desc, {{ attribute }} asc
        ) as usage_rank
    from sessions
    where {{ attribute }} is not null
    group by customer_id, {{ attribute }}
),
{%- endfor %}

final as (
    select
        activity.customer_id,
        cast(activity.session_count as {{ dbt.type_bigint() }}) as session_count,
        {%- for days in windows %}
        cast(activity.sessions_{{ days }}d as {{ dbt.type_bigint() }}) as sessions_{{ days }}d,
        cast(activity.product_views_{{ days }}d as {{ dbt.type_bigint() }})
            as product_views_{{ days }}d,
        cast(activity.searches_{{ days }}d as {{ dbt.type_bigint() }}) as searches_{{ days }}d,
        cast(activity.cart_adds_{{ days }}d as {{ dbt.type_bigint() }}) as cart_adds_{{ days }}d,
        cast(activity.abandoned_carts_{{ days }}d as {{ dbt.type_bigint() }})
            as abandoned_carts_{{ days }}d,
        {%- endfor %}
        activity.last_visit_at,
        cast(
            {{ dbt.datediff('cast(activity.last_visit_at as date)', as_of_date(), 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_since_last_visit,
        {%- for attribute in technographics %}
        {{ attribute }}_ranked.{{ attribute }} as primary_{{ attribute }},
        {%- endfor %}
        case
            when activity.app_session_count = 0 then 'web'
            when activity.app_session_count = activity.session_count then 'app'
            else 'app_and_web'
        end as app_usage,
        cast(
            activity.mobile_session_count * 1.0 / activity.session_count as decimal(5, 4)
        ) as mobile_session_share
    from activity
    left join device_type_ranked
        on
            activity.customer_id = device_type_ranked.customer_id
            and device_type_ranked.usage_rank = 1
    left join os_ranked
        on
            activity.customer_id = os_ranked.customer_id
            and os_ranked.usage_rank = 1
    left join browser_ranked
        on
            activity.customer_id = browser_ranked.customer_id
            and browser_ranked.usage_rank = 1
)

select * from final
