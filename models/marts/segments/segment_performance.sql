{#- Is a segment worth targeting? One row per campaign with a target segment that started
    by as_of_date. The audience is the segment's membership at the campaign's start, from
    segment_membership_history (when the history begins later, its first date stands in:
    audience_basis says which). Treated members are the audience outside the segment's
    holdout, the control group those inside it (macro segment_holdout_flag, as in
    audience_exports). Email campaigns add the rates of their messages. A conversion is a
    customer with a valid purchase within var('campaign_attribution_window_days') days of
    the start (up to as_of_date); cost is converted at the latest rate on or before the
    start. -#}
{%- set window_days = var('campaign_attribution_window_days') | int %}
with

campaigns as (
    select
        campaign_id,
        campaign_name,
        channel,
        target_segment_id as segment_id,
        started_at,
        cast(started_at as date) as started_date,
        {{ dbt.dateadd('day', window_days, 'started_at') }} as attribution_ends_at,
        cost,
        currency
    from {{ ref('stg_raw__campaigns') }}
    where
        target_segment_id is not null
        and started_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

segments as (
    select
        segment_id,
        holdout_percent
    from {{ ref('dim_segments') }}
),

spells as (
    select
        segment_id,
        customer_id,
        entered_on,
        exited_on
    from {{ ref('segment_membership_history') }}
),

history_start as (
    select min(entered_on) as first_date
    from spells
),

campaign_dates as (
    select
        campaigns.campaign_id,
        campaigns.segment_id,
        case
            when campaigns.started_date < history_start.first_date then history_start.first_date
            else campaigns.started_date
        end as audience_date,
        campaigns.started_date < history_start.first_date as is_before_history
    from campaigns
    cross join history_start
),

audience as (
    select
        campaign_dates.campaign_id,
        spells.customer_id,
        {{ segment_holdout_flag('spells.customer_id', 'spells.segment_id',
            'segments.holdout_percent') }} as is_holdout
    from campaign_dates
    inner join spells
        on
            campaign_dates.segment_id = spells.segment_id
            and campaign_dates.audience_date >= spells.entered_on
            and (spells.exited_on is null or campaign_dates.audience_date < spells.exited_on)
    inner join segments
        on campaign_dates.segment_id = segments.segment_id
),

messages as (
    select
        campaign_id,
        customer_id,
        is_delivered,
        is_opened,
        is_clicked,
        is_unsubscribed,
        is_complained
    from {{ ref('fct_email_messages') }}
    where campaign_id is not null
),

message_rates as (
    select
        campaign_id,
        count(*) as messages_sent,
        count(distinct customer_id) as contacted_count,
        count(case when is_delivered then 1 end) as messages_delivered,
        count(case when is_opened then 1 end) as messages_opened,
        count(case when is_clicked then 1 end) as messages_clicked,
        count(case when is_unsubscribed then 1 end) as messages_unsubscribed,
        count(case when is_complained then 1 end) as messages_complained
    from messages
    group by campaign_id
),

contacted_holdout as (
    select
        audience.campaign_id,
        count(distinct audience.customer_id) as contacted_holdout_count
    from audience
    inner join messages
        on
            audience.campaign_id = messages.campaign_id
            and audience.customer_id = messages.customer_id
    where audience.is_holdout
    group by audience.campaign_id
),

purchases as (
    select
        customer_id,
        ordered_at,
        order_total_reporting
    from {{ ref('fct_orders') }}
    where is_valid_purchase
),

conversions as (
    select
        audience.campaign_id,
        audience.customer_id,
        audience.is_holdout,
        sum(purchases.order_total_reporting) as revenue
    from audience
    inner join campaigns
        on audience.campaign_id = campaigns.campaign_id
    inner join purchases
        on
            audience.customer_id = purchases.customer_id
            and campaigns.started_at <= purchases.ordered_at
            and campaigns.attribution_ends_at > purchases.ordered_at
            and purchases.ordered_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
    group by audience.campaign_id, audience.customer_id, audience.is_holdout
),

groups as (
    select
        audience.campaign_id,
        count(case when not audience.is_holdout then 1 end) as treated_count,
        count(case when audience.is_holdout then 1 end) as holdout_count,
        count(case when not audience.is_holdout and conversions.customer_id is not null then 1 end)
            as treated_conversions,
        count(case when audience.is_holdout and conversions.customer_id is not null then 1 end)
            as holdout_conversions,
        sum(case when not audience.is_holdout then conversions.revenue end) as treated_revenue,
        sum(case when audience.is_holdout then conversions.revenue end) as holdout_revenue
    from audience
    left join conversions
        on
            audience.campaign_id = conversions.campaign_id
            and audience.customer_id = conversions.customer_id
    group by audience.campaign_id
),

fx_ranked as (
    select
        campaigns.campaign_id,
        fx_rates.rate_to_reporting,
        row_number() over (
            partition by campaigns.campaign_id
            order by fx_rates.rate_date desc
        ) as rate_rank
    from campaigns
    inner join {{ ref('stg_raw__fx_rates') }} as fx_rates
        on
            campaigns.currency = fx_rates.currency
            and campaigns.started_date >= fx_rates.rate_date
),

costs as (
    select
        campaigns.campaign_id,
        case
            when campaigns.currency = '{{ var("reporting_currency") }}' then campaigns.cost
            else campaigns.cost * fx_ranked.rate_to_reporting
        end as cost_reporting
    from campaigns
    left join fx_ranked
        on
            campaigns.campaign_id = fx_ranked.campaign_id
            and fx_ranked.rate_rank = 1
),

measured as (
    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.channel,
        campaigns.segment_id,
        campaigns.started_date,
        campaign_dates.audience_date,
        case
            when segments.segment_id is null then 'unknown_segment'
            when campaign_dates.is_before_history then 'first_history_date'
            else 'history_at_start'
        end as audience_basis,
        coalesce(groups.treated_count, 0) as members_targeted,
        coalesce(groups.holdout_count, 0) as holdout_members,
        coalesce(groups.treated_conversions, 0) as treated_conversions,
        coalesce(groups.holdout_conversions, 0) as holdout_conversions,
        coalesce(groups.treated_revenue, 0) as treated_revenue,
        coalesce(groups.holdout_revenue, 0) as holdout_revenue,
        message_rates.contacted_count,
        message_rates.messages_sent,
        message_rates.messages_delivered,
        message_rates.messages_opened,
        message_rates.messages_clicked,
        message_rates.messages_unsubscribed,
        message_rates.messages_complained,
        coalesce(contacted_holdout.contacted_holdout_count, 0) as contacted_holdout_count,
        costs.cost_reporting,
        campaigns.attribution_ends_at <= {{ dbt.dateadd('day', 1, as_of_date()) }}
            as is_attribution_window_complete
    from campaigns
    inner join campaign_dates
        on campaigns.campaign_id = campaign_dates.campaign_id
    left join segments
        on campaigns.segment_id = segments.segment_id
    left join groups
        on campaigns.campaign_id = groups.campaign_id
    left join message_rates
        on campaigns.campaign_id = message_rates.campaign_id
    left join contacted_holdout
        on campaigns.campaign_id = contacted_holdout.campaign_id
    left join costs
        on campaigns.campaign_id = costs.campaign_id
),

rated as (
    select
        *,
        treated_conversions * 1.0 / nullif(members_targeted, 0) as treated_conversion_rate,
        holdout_conversions * 1.0 / nullif(holdout_members, 0) as holdout_conversion_rate
    from measured
),

incremental as (
    select
        *,
        case
            when treated_conversion_rate > coalesce(holdout_conversion_rate, 0)
                then
                    (treated_conversion_rate - coalesce(holdout_conversion_rate, 0))
                    * members_targeted
        end as incremental_conversions
    from rated
),

final as (
    select
        campaign_id,
        campaign_name,
        channel,
        segment_id,
        started_date,
        audience_date,
        audience_basis,
        cast(members_targeted as {{ dbt.type_bigint() }}) as members_targeted,
        cast(holdout_members as {{ dbt.type_bigint() }}) as holdout_members,
        cast(contacted_count as {{ dbt.type_bigint() }}) as contacted_count,
        cast(contacted_holdout_count as {{ dbt.type_bigint() }}) as contacted_holdout_count,
        cast(messages_delivered * 1.0 / nullif(messages_sent, 0) as double) as delivered_rate,
        cast(messages_opened * 1.0 / nullif(messages_delivered, 0) as double) as open_rate,
        cast(messages_clicked * 1.0 / nullif(messages_delivered, 0) as double) as click_rate,
        cast(messages_unsubscribed * 1.0 / nullif(messages_delivered, 0) as double)
            as unsubscribe_rate,
        cast(messages_complained * 1.0 / nullif(messages_delivered, 0) as double)
            as complaint_rate,
        cast(treated_conversions as {{ dbt.type_bigint() }}) as treated_conversions,
        cast(holdout_conversions as {{ dbt.type_bigint() }}) as holdout_conversions,
        cast(treated_conversion_rate as double) as treated_conversion_rate,
        cast(holdout_conversion_rate as double) as holdout_conversion_rate,
        cast(treated_conversion_rate - holdout_conversion_rate as double) as conversion_uplift,
        cast(treated_revenue as decimal(18, 2)) as treated_revenue,
        cast(holdout_revenue as decimal(18, 2)) as holdout_revenue,
        cast(incremental_conversions as double) as incremental_conversions,
        cast(cost_reporting as decimal(18, 2)) as campaign_cost,
        cast(cost_reporting / nullif(treated_conversions, 0) as decimal(18, 2))
            as cost_per_acquisition,
        cast(cost_reporting / nullif(incremental_conversions, 0) as decimal(18, 2))
            as cost_per_incremental_conversion,
        is_attribution_window_complete,
        {{ as_of_date() }} as as_of_date
    from incremental
)

select * from final
