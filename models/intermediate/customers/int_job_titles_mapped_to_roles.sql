{#- Every distinct job title of a surviving customer, mapped to a role, seniority and buyer
    role by the editable seed job_title_roles: the matching pattern with the lowest
    priority wins (patterns are regular expressions matched against the lower-cased,
    trimmed title). A title no pattern matches is 'other'. -#}
with

job_titles as (
    select distinct job_title
    from {{ ref('int_customers_merged') }}
    where job_title is not null
),

roles as (
    select
        priority,
        title_pattern,
        job_role,
        seniority,
        buyer_role
    from {{ ref('job_title_roles') }}
),

matches as (
    select
        job_titles.job_title,
        roles.job_role,
        roles.seniority,
        roles.buyer_role,
        row_number() over (
            partition by job_titles.job_title
            order by roles.priority asc, roles.job_role asc
        ) as match_rank
    from job_titles
    inner join roles
        on {{ regex_matches(
            'lower(trim(job_titles.job_title))', 'roles.title_pattern', pattern_is_sql=true
        ) }}
),

final as (
    select
        job_titles.job_title,
        coalesce(matches.job_role, 'other') as job_role,
        coalesce(matches.seniority, 'unknown') as seniority,
        coalesce(matches.buyer_role, 'unknown') as buyer_role
    from job_titles
    left join matches
        on
            job_titles.job_title = matches.job_title
            and matches.match_rank = 1
)

select * from final
