{#- Whole years between `birth_date` and `on_date`: the age on that day. One less until the
    birthday is reached in the year of `on_date`; someone born on 29 February turns a year
    older on 1 March in years without one. -#}
{% macro age_in_years(birth_date, on_date) -%}
    (
        extract(year from {{ on_date }}) - extract(year from {{ birth_date }})
        - case
            when extract(month from {{ on_date }}) * 100 + extract(day from {{ on_date }})
                < extract(month from {{ birth_date }}) * 100 + extract(day from {{ birth_date }})
                then 1
            else 0
        end
    )
{%- endmacro %}
