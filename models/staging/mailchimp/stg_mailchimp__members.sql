{#- The Mailchimp audience exports, one row per export row (member and file), typed where
    the mappings need it. The status is the file's: Mailchimp writes one file per status
    (subscribed_members_export_<id>.csv, unsubscribed_..., cleaned_...); a file named
    otherwise has none (its members become customers, with no consent record). The member's
    id is `mailchimp:` and the SHA-256 of the normalised e-mail (macro hash_email). Times
    are UTC. -#}
{%- set format = '%Y-%m-%d %H:%M:%S' -%}
with

members as (
    select * from {{ ref('base_mailchimp__members_export') }}
),

named as (
    select
        members.*,
        lower(regexp_replace(members.export_file, '^.*[/\\\\]', '')) as file_name
    from members
),

final as (
    select
        export_file,
        export_row,
        case
            when file_name like 'subscribed%' then 'subscribed'
            when file_name like 'unsubscribed%' then 'unsubscribed'
            when file_name like 'cleaned%' then 'cleaned'
        end as member_status,
        case
            when {{ normalize_email('email_address') }} is not null
                then {{ dbt.concat(["'mailchimp:'", hash_email('email_address')]) }}
        end as member_id,
        email_address,
        first_name,
        last_name,
        phone_number,
        case
            when {{ regex_matches('trim(cc)', '^[A-Za-z]{2}$') }} then upper(trim(cc))
        end as country_code,
        region,
        latitude,
        longitude,
        timezone,
        {{ tool_timestamp('optin_time', format) }} as opted_in_at,
        {{ tool_timestamp('confirm_time', format) }} as confirmed_at,
        {{ tool_timestamp('last_changed', format) }} as last_changed_at,
        {{ tool_timestamp('unsub_time', format) }} as unsubscribed_at,
        {{ tool_timestamp('clean_time', format) }} as cleaned_at,
        clean_campaign_id
    from named
)

select * from final
