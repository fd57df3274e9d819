{#- Exact ranks without a window over a whole partition of rows. Emits three CTEs (to place
    in a model's `with` list; the last is named `name`) holding, for each distinct value of
    `value_column` within its partition (`partition_columns` of CTE `source`): how many
    rows come before it in ascending order (rows_before), how many share it (ties) and how
    many rows the partition holds (partition_rows). Null values are left out. Then
    percent_rank() = rows_before / (partition_rows - 1) and cume_dist() = (rows_before +
    ties) / partition_rows, as the window functions give them; rank the negated value for
    a descending order.

    Rows are counted per value (a distributed aggregation); the values are grouped into
    buckets (`bucket`: an expression of `ranked_value`, non-decreasing in it: the value
    itself for whole numbers such as days or counts, floor(ranked_value) for amounts); the
    rows before each bucket are summed over the buckets of a partition, the rows before
    each value over the values of its bucket. No window holds the rows of a whole
    partition: on Spark, percent_rank() over every customer of a snapshot is one task;
    here the largest window holds one partition's buckets or one bucket's values. Exact
    for any bucket expression; the bucket only decides how the work splits. -#}
{% macro rank_by_counting(name, source, partition_columns, value_column, bucket='ranked_value') -%}
{#- partition_columns may be empty (one ranking over every row) -#}
{%- set partition = partition_columns | join(', ') %}
{%- set leading = partition ~ ', ' if partition_columns else '' %}
{%- set partition_clause = 'partition by ' ~ partition if partition_columns else '' %}
{{ name }}_values as (
    select
        {{ leading }}{{ bucket }} as value_bucket,
        ranked_value,
        count(*) as ties
    from (
        select
            {{ leading }}{{ value_column }} as ranked_value
        from {{ source }}
        where {{ value_column }} is not null
    ) as ranked_rows
    group by {{ leading }}{{ bucket }}, ranked_value
),

{{ name }}_buckets as (
    select
        {{ leading }}value_bucket,
        coalesce(sum(bucket_rows) over (
            {{ partition_clause }}
            order by value_bucket
            rows between unbounded preceding and 1 preceding
        ), 0) as rows_before_bucket,
        sum(bucket_rows) over ({{ partition_clause }}) as partition_rows
    from (
        select
            {{ leading }}value_bucket,
            sum(ties) as bucket_rows
        from {{ name }}_values
        group by {{ leading }}value_bucket
    ) as bucket_counts
),

{{ name }} as (
    select
        {%- for column in partition_columns %}
        values_in_bucket.{{ column }},
        {%- endfor %}
        values_in_bucket.ranked_value,
        {{ name }}_buckets.rows_before_bucket + values_in_bucket.rows_before_in_bucket
            as rows_before,
        values_in_bucket.ties,
        {{ name }}_buckets.partition_rows
    from (
        select
            {{ leading }}value_bucket,
            ranked_value,
            ties,
            coalesce(sum(ties) over (
                partition by {{ leading }}value_bucket
                order by ranked_value
                rows between unbounded preceding and 1 preceding
            ), 0) as rows_before_in_bucket
        from {{ name }}_values
    ) as values_in_bucket
    inner join {{ name }}_buckets
        on
        {%- for column in partition_columns %}
            values_in_bucket.{{ column }} = {{ name }}_buckets.{{ column }} and
        {%- endfor %}
            values_in_bucket.value_bucket = {{ name }}_buckets.value_bucket
)
{%- endmacro %}


{#- The RFM score of a rank_by_counting row: least(5, 1 + floor(5 * percent_rank())),
    computed as percent_rank() computes it ((rank - 1) / (rows - 1), 0 for one row). -#}
{% macro quintile_score(ranked) -%}
    least(5, 1 + floor(5 * coalesce(
        cast({{ ranked }}.rows_before as double)
        / nullif(cast({{ ranked }}.partition_rows - 1 as double), 0),
        0
    )))
{%- endmacro %}
