{#- Zero-party data per surviving customer: the latest answer to each survey question up
    to as_of_date (over all merged contacts; ties: the larger response_id), one column per
    question. Multi-select answers are their distinct options, sorted and joined by '|'
    (macro multiselect_answer); single answers are trimmed and lower-cased. -#}
{#- The questions (macro survey_questions) by kind; multiple: question_key -> column
    ('values' is a reserved word) -#}
{%- set multi_select = {} %}
{%- set single_select = [] %}
{%- for question, kind in survey_questions().items() %}
{%- if kind == 'multiple' %}
{%- do multi_select.update({question: 'personal_values' if question == 'values' else question}) %}
{%- elif kind == 'single' %}
{%- do single_select.append(question) %}
{%- endif %}
{%- endfor %}
with

responses as (
    select
        response_id,
        customer_id,
        lower(trim(question_key)) as question_key,
        answer,
        answered_at
    from {{ ref('stg_raw__survey_responses') }}
    where answered_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
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
        responses.question_key,
        responses.answer,
        responses.answered_at,
        row_number() over (
            partition by customer_ids.surviving_customer_id, responses.question_key
            order by responses.answered_at desc, responses.response_id desc
        ) as answer_rank
    from responses
    inner join customer_ids
        on responses.customer_id = customer_ids.customer_id
),

latest as (
    select
        customer_id,
        question_key,
        answer,
        answered_at
    from ranked
    where answer_rank = 1
),

pivoted as (
    select
        customer_id,
        {%- for question, column in multi_select.items() %}
        max(
            case when question_key = '{{ question }}' then {{ multiselect_answer('answer') }} end
        ) as {{ column }},
        {%- endfor %}
        {%- for question in single_select %}
        max(
            case when question_key = '{{ question }}' then nullif(lower(trim(answer)), '') end
        ) as {{ question }},
        {%- endfor %}
        max(
            case
                when question_key = 'nps'
                    then {{ dbt.safe_cast('trim(answer)', dbt.type_int()) }}
            end
        ) as nps_answer,
        max(answered_at) as last_answered_at
    from latest
    group by customer_id
),

final as (
    select
        customer_id,
        {%- for column in multi_select.values() %}
        {{ column }},
        {%- endfor %}
        {%- for question in single_select %}
        {{ question }},
        {%- endfor %}
        case when nps_answer between 0 and 10 then nps_answer end as nps_score,
        case
            when nps_answer between 9 and 10 then 'promoter'
            when nps_answer between 7 and 8 then 'passive'
            when nps_answer between 0 and 6 then 'detractor'
        end as nps_category,
        last_answered_at
    from pivoted
)

select * from final
