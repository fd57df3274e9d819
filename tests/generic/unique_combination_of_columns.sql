{#- The combination of columns is unique: returns each duplicated combination. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- if combination_of_columns is string or combination_of_columns | length < 2 -%}
    {{ exceptions.raise_compiler_error(
        "unique_combination_of_columns on " ~ model ~ ": combination_of_columns must be a "
        ~ "list of two or more columns (use `unique` for one), got " ~ combination_of_columns) }}
{%- endif %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as row_count
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
