{#- Every row of the Mailchimp audience exports reaches staging as one customers row
    (staged, superseded, quarantined, a duplicate or erased): no member is lost between the
    files and stg_raw__reconciliation. Returns the two counts when they differ. -#}
with

export_rows as (
    select count(*) as row_count
    from {{ ref('base_mailchimp__members_export') }}
),

contacts as (
    select coalesce(sum(duplicate_count + 1), 0) as row_count
    from {{ ref('base_raw__customers') }}
    where record_source = 'mailchimp'
)

select
    export_rows.row_count as export_row_count,
    contacts.row_count as contact_row_count
from export_rows
cross join contacts
where export_rows.row_count <> contacts.row_count
