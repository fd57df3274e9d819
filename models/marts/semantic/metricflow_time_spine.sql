{#- MetricFlow's calendar (the semantic layer's time spine): one row per day from
    1900-01-01 to 2100-12-31, so a metric over any era this project builds (issue 11: any
    as_of_date) finds its days. 73,414 rows. -#}
with

days as (
    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('1900-01-01' as date)",
        end_date="cast('2101-01-01' as date)",
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
