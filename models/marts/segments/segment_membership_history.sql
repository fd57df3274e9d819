{#- One row per membership spell: a customer in a segment from entered_on (the first
    as_of_date it was a member) until exited_on (the first as_of_date it no longer was;
    null while still a member). Builds run for successive as_of_dates extend it:
    - a member without an open spell starts one (entered_on = as_of_date);
    - an open spell whose customer is no longer a member ends (exited_on = as_of_date);
    - rebuilding the latest date first undoes what that date recorded (spells it opened
      are dropped, spells it closed are reopened), so it is idempotent;
    - an as_of_date earlier than the latest one recorded is rejected: the spells after it
      were computed from memberships that are gone. Replay dates in order after a full
      refresh instead (custseg replay).
    Erased customers' spells are dropped. Each build rewrites the table from its previous
    state (delete+insert by segment on DuckDB, partition overwrite on Spark). -#}
-- depends_on: {{ ref('base_raw__erased_customer_ids') }}
{{ config(
    materialized='incremental',
    unique_key='segment_id',
    incremental_strategy='delete+insert' if target.type == 'duckdb' else 'insert_overwrite',
    partition_by=none if target.type == 'duckdb' else ['segment_id'],
    on_schema_change='fail',
) }}
{%- if is_incremental() %}
    {{- fail_if_as_of_before_latest(this, 'evaluated_on',
        'To rebuild it from an earlier date, replay the dates in order from a full refresh: '
        ~ 'custseg replay --from <first date> --to <last date>.') }}
{%- endif %}
with

current_members as (
    select
        segment_id,
        customer_id
    from {{ ref('segment_memberships') }}
),
{%- if is_incremental() %}

erased as (
    select erased_key as customer_id
    from {{ ref('base_raw__erased_customer_ids') }}
),

recorded as (
    select
        recorded.segment_id,
        recorded.customer_id,
        recorded.entered_on,
        recorded.exited_on
    from {{ this }} as recorded
    left join erased
        on recorded.customer_id = erased.customer_id
    where erased.customer_id is null
),
{%- else %}

recorded as (
    select
        segment_id,
        customer_id,
        cast(null as date) as entered_on,
        cast(null as date) as exited_on
    from current_members
    where 1 = 0
),
{%- endif %}

-- what an earlier build of this same date recorded is undone
before_this_date as (
    select
        segment_id,
        customer_id,
        entered_on,
        case when exited_on < {{ as_of_date() }} then exited_on end as exited_on
    from recorded
    where entered_on < {{ as_of_date() }}
),

closed_spells as (
    select
        segment_id,
        customer_id,
        entered_on,
        exited_on
    from before_this_date
    where exited_on is not null
),

open_spells as (
    select
        segment_id,
        customer_id,
        entered_on
    from before_this_date
    where exited_on is null
),

continued_or_ended as (
    select
        open_spells.segment_id,
        open_spells.customer_id,
        open_spells.entered_on,
        case when current_members.customer_id is null then {{ as_of_date() }} end as exited_on
    from open_spells
    left join current_members
        on
            open_spells.segment_id = current_members.segment_id
            and open_spells.customer_id = current_members.customer_id
),

started as (
    select
        current_members.segment_id,
        current_members.customer_id,
        {{ as_of_date() }} as entered_on,
        cast(null as date) as exited_on
    from current_members
    left join open_spells
        on
            current_members.segment_id = open_spells.segment_id
            and current_members.customer_id = open_spells.customer_id
    where open_spells.customer_id is null
),

unioned as (
    select
        segment_id,
        customer_id,
        entered_on,
        exited_on
    from closed_spells
    union all
    select
        segment_id,
        customer_id,
        entered_on,
        exited_on
    from continued_or_ended
    union all
    select
        segment_id,
        customer_id,
        entered_on,
        exited_on
    from started
),

final as (
    select
        customer_id,
        entered_on,
        exited_on,
        exited_on is null as is_current,
        {{ as_of_date() }} as evaluated_on,
        segment_id
    from unioned
)

select * from final
