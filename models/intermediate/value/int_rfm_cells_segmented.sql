{#- Every one of the 125 RFM cells (r, f, m scores 1-5) with its segment: the matching rule
    of the editable seed rfm_segments with the lowest priority, or 'Others' when no rule
    matches. Customers take the segment of their cell. -#}
with

scores as (
    select cast(generated_number as {{ dbt.type_int() }}) as score
    from ({{ dbt.generate_series(5) }}) as generated_scores
),

cells as (
    select
        r_scores.score as r_score,
        f_scores.score as f_score,
        m_scores.score as m_score
    from scores as r_scores
    cross join scores as f_scores
    cross join scores as m_scores
),

rules as (
    select * from {{ ref('rfm_segments') }}
),

matches as (
    select
        cells.r_score,
        cells.f_score,
        cells.m_score,
        rules.rfm_segment,
        rules.priority,
        row_number() over (
            partition by cells.r_score, cells.f_score, cells.m_score
            order by rules.priority asc, rules.rfm_segment asc
        ) as match_rank
    from cells
    inner join rules
        on
            cells.r_score between rules.r_min and rules.r_max
            and cells.f_score between rules.f_min and rules.f_max
            and cells.m_score between rules.m_min and rules.m_max
),

final as (
    select
        concat(
            cast(cells.r_score as {{ dbt.type_string() }}),
            cast(cells.f_score as {{ dbt.type_string() }}),
            cast(cells.m_score as {{ dbt.type_string() }})
        ) as rfm_cell,
        cells.r_score,
        cells.f_score,
        cells.m_score,
        coalesce(matches.rfm_segment, 'Others') as rfm_segment,
        matches.priority as rule_priority
    from cells
    left join matches
        on
            cells.r_score = matches.r_score
            and cells.f_score = matches.f_score
            and cells.m_score = matches.m_score
            and matches.match_rank = 1
)

select * from final
