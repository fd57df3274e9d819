{#- Size and worth of every segment as of as_of_date: members, share of all customers,
    revenue to date, average predicted CLV and RFM scores, and how many members each
    channel may reach (granted consent, as in audience_exports). Incremental: one set of
    rows per as_of_date, so successive builds give size over time; rebuilding a date
    replaces its rows. -#}
{{ config(
    materialized='incremental',
    unique_key=['segment_id', 'as_of_date'],
    incremental_strategy='delete+insert' if target.type == 'duckdb' else 'insert_overwrite',
    partition_by=none if target.type == 'duckdb' else ['as_of_date'],
    on_schema_change='fail',
) }}
with

segments as (
    select
        segment_id,
        min_size
    from {{ ref('dim_segments') }}
),

memberships as (
    select
        segment_id,
        customer_id
    from {{ ref('segment_memberships') }}
),

customers as (
    select
        customer_id,
        historical_clv,
        predicted_clv_12m,
        r_score,
        f_score,
        m_score
    from {{ ref('dim_customers') }}
),

customer_count as (
    select count(*) as all_customers
    from customers
),

reach as (
    select
        segment_id,
        count(distinct case when channel = 'email' then customer_id end) as email_reachable,
        count(distinct case when channel = 'sms' then customer_id end) as sms_reachable,
        count(distinct case when channel = 'paid_media' then customer_id end)
            as paid_media_reachable
    from {{ ref('audience_exports') }}
    group by segment_id
),

measured as (
    select
        segments.segment_id,
        segments.min_size,
        count(memberships.customer_id) as member_count,
        sum(customers.historical_clv) as revenue,
        avg(customers.predicted_clv_12m) as average_predicted_clv_12m,
        avg(customers.r_score) as average_r_score,
        avg(customers.f_score) as average_f_score,
        avg(customers.m_score) as average_m_score
    from segments
    left join memberships
        on segments.segment_id = memberships.segment_id
    left join customers
        on memberships.customer_id = customers.customer_id
    group by segments.segment_id, segments.min_size
),

final as (
    select
        measured.segment_id,
        {{ as_of_date() }} as as_of_date,
        cast(measured.member_count as {{ dbt.type_bigint() }}) as member_count,
        cast(
            measured.member_count * 1.0 / nullif(customer_count.all_customers, 0)
            as decimal(7, 6)
        ) as share_of_customers,
        cast(coalesce(measured.revenue, 0) as decimal(18, 2)) as revenue,
        cast(measured.average_predicted_clv_12m as double) as average_predicted_clv_12m,
        cast(measured.average_r_score as decimal(4, 2)) as average_r_score,
        cast(measured.average_f_score as decimal(4, 2)) as average_f_score,
        cast(measured.average_m_score as decimal(4, 2)) as average_m_score,
        cast(coalesce(reach.email_reachable, 0) as {{ dbt.type_bigint() }}) as email_reachable,
        cast(coalesce(reach.sms_reachable, 0) as {{ dbt.type_bigint() }}) as sms_reachable,
        cast(coalesce(reach.paid_media_reachable, 0) as {{ dbt.type_bigint() }})
            as paid_media_reachable,
        coalesce(measured.member_count < measured.min_size, false) as is_below_min_size
    from measured
    cross join customer_count
    left join reach
        on measured.segment_id = reach.segment_id
)

select * from final
