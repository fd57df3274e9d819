{#- The date `days` days before as_of_date. A window of the last N days is
    `some_date > days_before_as_of(N)` on facts that already end at as_of_date
    (N calendar days, as_of_date included). -#}
{% macro days_before_as_of(days) -%}
    {{ dbt.dateadd('day', -1 * days, as_of_date()) }}
{%- endmacro %}
