{#- Per surviving customer, one current consent status per purpose as of as_of_date: the
    latest record by when the customer gave or refused it (recorded_at, event time), over
    all merged contacts, never by file order or arrival. Records after as_of_date do not
    count yet. At equal times a denial or withdrawal wins over a grant. No record: 'none',
    which is not consent. -#}
{%- set purposes = ['email_marketing', 'sms_marketing', 'personalized_ads', 'profiling'] %}
with

consent_log as (
    select
        customer_id,
        purpose,
        status,
        recorded_at
    from {{ ref('stg_raw__consent_log') }}
    where recorded_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

customer_ids as (
    select
        customer_id,
        surviving_customer_id
    from {{ ref('int_customer_ids_resolved') }}
),

ranked as (
    select
        customer_ids.surviving_customer_id as customer_id,
        consent_log.purpose,
        consent_log.status,
        consent_log.recorded_at,
        row_number() over (
            partition by customer_ids.surviving_customer_id, consent_log.purpose
            order by
                consent_log.recorded_at desc,
                case when consent_log.status = 'granted' then 1 else 0 end asc,
                consent_log.status asc
        ) as record_rank
    from consent_log
    inner join customer_ids
        on consent_log.customer_id = customer_ids.customer_id
),

current_consents as (
    select
        customer_id,
        purpose,
        status,
        recorded_at
    from ranked
    where record_rank = 1
),

pivoted as (
    select
        customer_id,
        {%- for purpose in purposes %}
        max(case when purpose = '{{ purpose }}' then status end) as {{ purpose }}_status,
        max(case when purpose = '{{ purpose }}' then recorded_at end)
            as {{ purpose }}_recorded_at,
        {%- endfor %}
        count(*) as purposes_recorded
    from current_consents
    group by customer_id
),

customers as (
    select customer_id
    from customer_ids
    where customer_id = surviving_customer_id
),

final as (
    select
        customers.customer_id,
        {%- for purpose in purposes %}
        coalesce(pivoted.{{ purpose }}_status, 'none') as {{ purpose }}_consent_status,
        pivoted.{{ purpose }}_recorded_at as {{ purpose }}_consent_recorded_at,
        coalesce(pivoted.{{ purpose }}_status = 'granted', false)
            as has_{{ purpose }}_consent,
        {%- endfor %}
        cast(coalesce(pivoted.purposes_recorded, 0) as {{ dbt.type_bigint() }})
            as purposes_with_a_consent_record
    from customers
    left join pivoted
        on customers.customer_id = pivoted.customer_id
)

select * from final
