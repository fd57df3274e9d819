{#- Every valid consent record, the latest per (customer_id, purpose) and the older ones it
    superseded: the log that lets a build as of an earlier date find the consent that was
    current then. stg_raw__consents holds only the latest record of each pair. -#}
{#- A table: ten tests and the consents read it. -#}
{{ config(materialized='table') }}
with

base as (
    select * from {{ ref('base_raw__consents') }}
    where row_status in ('staged', 'superseded')
),

renamed as (
    select
        raw_row_id as consent_record_id,
        customer_id,
        purpose,
        status,
        recorded_at,
        source,
        row_status = 'staged' as is_latest_record
    from base
)

select * from renamed
