{#- The answers of the Qualtrics response exports: one row per response and answered
    question, typed and mapped where the contract mappings need it.
    - Rows: the responses below the export's three header rows, but for survey previews,
      tests and spam (Status 1, 2, 8, 9, 12 or their labels), which no customer gave. A
      partial response (Finished 0) counts with the answers it has.
    - Questions: the columns whose import id (third header row) is a question's (QID...);
      var qualtrics_questions maps them onto zero-party attributes (macro
      qualtrics_questions checks it), answer codes onto values (a choice text equal to a
      value, in any letter case, is that value); a code not mapped stays as given. A multiple-choice answer (codes separated by commas) becomes its values joined
      by |. A question not mapped keeps its column name as question_key.
    - Who: the person var qualtrics_external_reference says ExternalReference is (a HubSpot
      contact, a contract customer), else `qualtrics:` and the SHA-256 of RecipientEmail
      (merged with the same person elsewhere by e-mail), else no one (anonymous: staging
      quarantines it, missing customer_id). respondent_id: the e-mail's id whenever there
      is an e-mail (stg_qualtrics__respondents: where the person was seen).
    - When: RecordedDate, in the time zone its import id names, as UTC. An unknown zone
      leaves the text as it is, with the zone, for staging to quarantine as bad_type.
    - survey_id: the file's name without Qualtrics' date suffix (Customer Preferences).
    Only DuckDB reads the files (elsewhere the exports are empty, not yet loaded). -#}
{%- set questions = qualtrics_questions() -%}
{%- set external = var('qualtrics_external_reference') or '' -%}
{%- if external not in ('hubspot', 'landing', '') -%}
    {{ exceptions.raise_compiler_error("var qualtrics_external_reference: '" ~ external
        ~ "' is not hubspot, landing or empty") }}
{%- endif -%}
{%- set formats = ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M'] -%}
{%- set not_responses = [
    '1', '2', '8', '9', '12', 'survey preview', 'survey test', 'spam', 'preview spam',
    'imported spam',
] -%}
{%- set columns = [
    'export_file', 'export_row', 'response_id', 'survey_id', 'question', 'question_key',
    'answer', 'answered_at', 'customer_id', 'respondent_id', 'email', 'first_name',
    'last_name',
] -%}
{%- if target.type != 'duckdb' %}
select
    {%- for column in columns %}
    cast(null as {{ dbt.type_bigint() if column == 'export_row' else dbt.type_string() }})
        as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
where false
{%- else %}
with

cells as (
    select * from {{ ref('base_qualtrics__responses_export') }}
),

import_ids as (
    select
        export_file,
        column_name,
        case
            when json_valid(column_value) then json_extract_string(column_value, '$.ImportId')
        end as import_id
    from cells
    where file_row = 2
),

time_zones as (
    select distinct
        export_file,
        case
            when json_valid(recordeddate) then json_extract_string(recordeddate, '$.timeZone')
        end as time_zone
    from cells
    where file_row = 2
),

known_zones as (
    select name as time_zone
    from pg_timezone_names()
),

responses as (
    select distinct
        cells.export_file,
        cells.export_row,
        cells.responseid as response_id,
        cells.recordeddate,
        cells.recipientemail,
        cells.recipientfirstname,
        cells.recipientlastname,
        cells.externalreference,
        time_zones.time_zone,
        known_zones.time_zone is not null as is_known_zone
    from cells
    left join time_zones
        on cells.export_file = time_zones.export_file
    left join known_zones
        on time_zones.time_zone = known_zones.time_zone
    where
        cells.file_row > 2
        and lower(coalesce(cells.status, '0')) not in (
            {%- for status in not_responses %}
            '{{ status }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
),

question_map as (
    {%- for question in questions %}
    select
        '{{ question.question }}' as question,
        '{{ question.attribute }}' as question_attribute,
        {{ question.multiple }} as is_multiple
    union all
    {%- endfor %}
    select
        null as question,
        null as question_attribute,
        null as is_multiple
    where false
),

answer_map as (
    {%- for question in questions %}
    {%- for answer in question.answers %}
    select
        '{{ question.question }}' as question,
        {{ string_literal(answer.code) }} as code,
        {{ string_literal(answer.value) }} as answer_value
    union all
    {%- endfor %}
    {%- endfor %}
    select
        null as question,
        null as code,
        null as answer_value
    where false
),

answered as (
    select
        responses.*,
        cells.column_name as question,
        cells.column_value as answer_text,
        question_map.question_attribute,
        coalesce(question_map.is_multiple, false) as is_multiple
    from cells
    inner join responses
        on cells.export_row = responses.export_row
    inner join import_ids
        on
            cells.export_file = import_ids.export_file
            and cells.column_name = import_ids.column_name
    left join question_map
        on cells.column_name = question_map.question
    where
        import_ids.import_id like 'QID%'
        and cells.column_value is not null
),

codes as (
    {#- each answer's codes (a multiple-choice answer's several, in their order) #}
    select
        answered.*,
        trim(unnest(
            case
                when answered.is_multiple then string_split(answered.answer_text, ',')
                else [answered.answer_text]
            end
        )) as code,
        generate_subscripts(
            case
                when answered.is_multiple then string_split(answered.answer_text, ',')
                else [answered.answer_text]
            end,
            1
        ) as code_position
    from answered
),

answer_values as (
    {#- a choice text that is already a mapped value (an export with choice text) #}
    select distinct
        question,
        answer_value
    from answer_map
),

mapped as (
    select
        codes.export_row,
        codes.question,
        string_agg(
            coalesce(answer_map.answer_value, answer_values.answer_value, codes.code),
            '|' order by codes.code_position
        ) as answer
    from codes
    left join answer_map
        on
            codes.question = answer_map.question
            and lower(codes.code) = answer_map.code
    left join answer_values
        on
            codes.question = answer_values.question
            and lower(codes.code) = answer_values.answer_value
    where codes.code <> ''
    group by codes.export_row, codes.question
),

final as (
    select
        answered.export_file,
        answered.export_row,
        answered.response_id,
        regexp_replace(
            regexp_replace(answered.export_file, '^.*[/\\]', ''),
            '(_[A-Za-z]+ [0-9]{1,2}, [0-9]{4}_[0-9]{1,2}\.[0-9]{2})?\.[Cc][Ss][Vv]$',
            ''
        ) as survey_id,
        answered.question,
        coalesce(answered.question_attribute, answered.question) as question_key,
        mapped.answer,
        case
            when answered.time_zone is null or answered.is_known_zone
                then coalesce(
                        strftime(
                            timezone(
                                'UTC',
                                try_strptime(answered.recordeddate, [
                                    {%- for f in formats %}
                                    '{{ f }}'{{ ',' if not loop.last }}
                                    {%- endfor %}
                                ]) at time zone coalesce(answered.time_zone, 'UTC')
                            ),
                            '%Y-%m-%dT%H:%M:%SZ'
                        ),
                        answered.recordeddate
                    )
            else answered.recordeddate || ' ' || answered.time_zone
        end as answered_at,
        case
            {%- if external == 'hubspot' %}
            when answered.externalreference is not null
                then 'hubspot:' || answered.externalreference
            {%- elif external == 'landing' %}
            when answered.externalreference is not null then answered.externalreference
            {%- endif %}
            when {{ normalize_email('answered.recipientemail') }} is not null
                then 'qualtrics:' || {{ hash_email('answered.recipientemail') }}
        end as customer_id,
        case
            when {{ normalize_email('answered.recipientemail') }} is not null
                then 'qualtrics:' || {{ hash_email('answered.recipientemail') }}
        end as respondent_id,
        answered.recipientemail as email,
        answered.recipientfirstname as first_name,
        answered.recipientlastname as last_name
    from answered
    inner join mapped
        on
            answered.export_row = mapped.export_row
            and answered.question = mapped.question
)

select * from final
{%- endif %}
