{#- Many row rules of one model in one scan, as one test: the staging contract's required
    columns, accepted values and ranges, the base models' row fates. dbt runs each test as a
    node of its own (~35 ms of dbt's time per node, the query ~1 ms), so a rule per test made
    up most of a build's time on small data.
    - not_null: columns that are never null;
    - accepted_values: {column: [values]}: the column, when not null, is one of the values;
    - expressions: boolean SQL every row satisfies (a null result passes, as in
      expression_is_true).
    Returns one row per broken rule: the rule, as written here, and how many rows break it;
    fail_calc counts rows, so dbt says "Got N results" for N failing rows. -#}
{% test rows_satisfy(model, not_null=[], accepted_values={}, expressions=[]) %}
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
{%- if rules | length == 0 %}
    {{ exceptions.raise_compiler_error(
        "rows_satisfy on " ~ model ~ ": give not_null, accepted_values or expressions") }}
{%- endif %}

with counted as (
    select
    {%- for rule, broken in rules %}
        sum(case when {{ broken }} then 1 else 0 end) as broken_{{ loop.index }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
)

{% for rule, broken in rules %}
select
    '{{ rule | replace("'", "''") }}' as rule,
    broken_{{ loop.index }} as failing_rows
from counted
where broken_{{ loop.index }} > 0
{{ 'union all' if not loop.last }}
{% endfor %}
{% endtest %}
