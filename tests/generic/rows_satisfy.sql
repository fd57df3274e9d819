{#- Many row rules of one model in one scan, as one test: the staging contract's required
    columns, accepted values and ranges, the base models' row fates. dbt runs each test as a
    node of its own (~35 ms of dbt's time per node, the query ~1 ms), so a rule per test made
    up most of a build's time on small data.
    - not_null: columns that are never null;
    - accepted_values: {column: [values]}: the column, when not null, is one of the values;
    - expressions: boolean SQL every row satisfies (a null result passes, as in
      expression_is_true);
    - unique: a column, or a list of columns taken together, that no two rows share (rows
      with a null in one of them are left out, as in dbt's unique: list the columns in
      not_null too and the pair is the model's primary-key test).
    Returns one row per broken rule: the rule, as written here, and how many rows break it;
    fail_calc counts rows, so dbt says "Got N results" for N failing rows. -#}
{% test rows_satisfy(model, not_null=[], accepted_values={}, expressions=[], unique=[]) %}
{{ config(fail_calc='coalesce(sum(failing_rows), 0)') }}
{%- set rules = [] %}
{%- for column in not_null %}
    {%- do rules.append((column ~ ' is not null', column ~ ' is null')) %}
{%- endfor %}
{%- for column, values in accepted_values.items() %}
    {%- set quoted = [] %}
    {%- for value in values %}
        {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") %}
    {%- endfor %}
    {%- set listed = quoted | join(', ') %}
    {%- do rules.append((column ~ ' in (' ~ listed ~ ')', column ~ ' not in (' ~ listed ~ ')')) %}
{%- endfor %}
{%- for expression in expressions %}
    {%- do rules.append((expression, 'not (' ~ expression ~ ')')) %}
{%- endfor %}
{%- set key = [unique] if unique is string else unique %}
{%- if rules | length == 0 and key | length == 0 %}
    {{ exceptions.raise_compiler_error(
        "rows_satisfy on " ~ model ~ ": give not_null, accepted_values, expressions or unique") }}
{%- endif %}

with
{%- if rules %}
counted as (
    select
    {%- for rule, broken in rules %}
        sum(case when {{ broken }} then 1 else 0 end) as broken_{{ loop.index }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
){{ ',' if key }}
{%- endif %}
{%- if key %}
shared_keys as (
    select coalesce(sum(rows_per_key), 0) as broken_key
    from (
        select count(*) as rows_per_key
        from {{ model }}
        where
        {%- for column in key %} {{ column }} is not null{{ ' and' if not loop.last }}{% endfor %}
        group by {{ key | join(', ') }}
        having count(*) > 1
    ) as duplicated_keys
)
{%- endif %}

{% for rule, broken in rules %}
select
    '{{ rule | replace("'", "''") }}' as rule,
    broken_{{ loop.index }} as failing_rows
from counted
where broken_{{ loop.index }} > 0
{{ 'union all' if not loop.last or key }}
{% endfor %}
{%- if key %}
select
    '{{ key | join(', ') }} is unique' as rule,
    broken_key as failing_rows
from shared_keys
where broken_key > 0
{%- endif %}
{% endtest %}
