{#- Qualtrics respondents with an e-mail as raw contract `customers` rows (text, staged by
    base_raw__customers): one per response, id `qualtrics:<SHA-256 of the e-mail>`,
    created and updated when the response was recorded (several responses: versions of
    one contact). Identity resolution merges them with the same person elsewhere by e-mail,
    so that dim_customers.record_sources says Qualtrics saw them; a respondent's answers
    belong to the contact ExternalReference names when there is one (stg_qualtrics__answers),
    else to this contact. -#}
with

answers as (
    select distinct
        export_file,
        export_row,
        respondent_id,
        email,
        first_name,
        last_name,
        answered_at
    from {{ ref('stg_qualtrics__answers') }}
    where respondent_id is not null
),

final as (
    select
        respondent_id as customer_id,
        email,
        first_name,
        last_name,
        answered_at as created_at,
        answered_at as updated_at,
        export_file,
        export_row
    from answers
)

{{ contract_rows('customers', 'final', [
    'customer_id', 'email', 'first_name', 'last_name', 'created_at', 'updated_at',
], 'qualtrics', ['export_file', 'export_row']) }}
