with

base as (
    select * from {{ ref('base_raw__survey_responses') }}
    where row_status = 'staged'
),

renamed as (
    select
        response_id,
        customer_id,
        survey_id,
        question_key,
        answer,
        answered_at,
        source,
        record_source
    from base
)

select * from renamed
