{#- Mailchimp members as raw contract `customers` rows (text, staged by
    base_raw__customers): one per member and export file, id `mailchimp:<SHA-256 of the
    e-mail>`; a member in several exports is versions of one contact, by LAST_CHANGED.
    created_at: the opt-in (else the confirmation, else the last change); latitude and
    longitude: where Mailchimp located the sign-up (distances to stores). No lifecycle
    stage: being on a mailing list says nothing of the funnel, and a later Mailchimp change
    must not overwrite the CRM's stage when the contacts are merged. Identity resolution
    merges members with the same person from other sources by e-mail. -#}
with

members as (
    select * from {{ ref('stg_mailchimp__members') }}
),

final as (
    select
        member_id as customer_id,
        email_address as email,
        first_name,
        last_name,
        phone_number as phone,
        country_code,
        region,
        latitude,
        longitude,
        timezone,
        coalesce(opted_in_at, confirmed_at, last_changed_at) as created_at,
        coalesce(last_changed_at, unsubscribed_at, cleaned_at, confirmed_at, opted_in_at)
            as updated_at,
        export_file,
        export_row
    from members
)

{{ contract_rows('customers', 'final', [
    'customer_id', 'email', 'first_name', 'last_name', 'phone', 'country_code', 'region',
    'latitude', 'longitude', 'timezone', 'created_at', 'updated_at',
], 'mailchimp', ['export_file', 'export_row']) }}
