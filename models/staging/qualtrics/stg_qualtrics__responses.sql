{#- Qualtrics answers as raw contract `survey_responses` rows (text, staged by
    base_raw__survey_responses): one per response and answered question, response_id
    `<ResponseId>:<question column>`, source other. -#}
with

answers as (
    select * from {{ ref('stg_qualtrics__answers') }}
),

final as (
    select
        {{ dbt.concat(['response_id', "':'", 'question']) }} as response_id,
        customer_id,
        survey_id,
        question_key,
        answer,
        answered_at,
        'other' as source,  -- noqa: RF04
        export_file,
        export_row
    from answers
)

{{ contract_rows('survey_responses', 'final', [
    'response_id', 'customer_id', 'survey_id', 'question_key', 'answer', 'answered_at',
    'source',
], 'qualtrics', ['export_file', 'export_row']) }}
