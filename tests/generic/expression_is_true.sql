{#- Every row satisfies the boolean SQL `expression` (optionally only rows matching `where`):
    returns the rows that do not. -#}
{% test expression_is_true(model, expression, where_clause=none) %}
{%- if not expression or expression is not string -%}
    {{ exceptions.raise_compiler_error(
        "expression_is_true on " ~ model ~ ": `expression` must be a SQL boolean expression") }}
{%- endif %}

select *
from {{ model }}
where not ({{ expression }})
{%- if where_clause %}
    and ({{ where_clause }})
{%- endif %}
{% endtest %}
