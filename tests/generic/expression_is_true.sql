{#- Every row satisfies the boolean SQL `expression` (optionally only rows matching
    `where_clause`): returns the rows that do not. On a column, the expression continues the
    column (`expression: ">= 0"`), as in dbt-utils. -#}
{% test expression_is_true(model, expression, column_name=none, where_clause=none) %}
{%- if not expression or expression is not string -%}
    {{ exceptions.raise_compiler_error(
        "expression_is_true on " ~ model ~ ": `expression` must be a SQL boolean expression") }}
{%- endif %}

select *
from {{ model }}
where not ({{ column_name ~ ' ' if column_name }}{{ expression }})
{%- if where_clause %}
    and ({{ where_clause }})
{%- endif %}
{% endtest %}
