{#- Every answered question of the Qualtrics exports (a non-empty cell of a column whose
    import id, on the third header row, is a question's: QID...), in a response that is
    not a survey preview, test or spam, reaches staging as one survey_responses row
    (staged, quarantined, a duplicate or erased). Counted from the cells as landed, apart
    from the mapping's own logic. Returns the two counts when they differ. -#}
with

cells as (
    select * from {{ ref('base_qualtrics__responses_export') }}
),

question_columns as (
    select
        export_file,
        column_name
    from cells
    where file_row = 2 and column_value like '%"ImportId":"QID%'
),

answers as (
    select count(*) as row_count
    from cells
    inner join question_columns
        on
            cells.export_file = question_columns.export_file
            and cells.column_name = question_columns.column_name
    where
        cells.file_row > 2
        and cells.column_value is not null
        and lower(coalesce(cells.status, '0')) not in (
            '1', '2', '8', '9', '12', 'survey preview', 'survey test', 'spam', 'preview spam',
            'imported spam'
        )
),

survey_responses as (
    select coalesce(sum(duplicate_count + 1), 0) as row_count
    from {{ ref('base_raw__survey_responses') }}
    where record_source = 'qualtrics'
)

select
    answers.row_count as answer_count,
    survey_responses.row_count as survey_response_count
from answers
cross join survey_responses
where answers.row_count <> survey_responses.row_count
