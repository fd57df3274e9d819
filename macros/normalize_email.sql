{#- The one normalisation of an email address: trimmed and lower-cased, empty as null.
    Identity merging and the matchable SHA-256 both start from this. -#}
{% macro normalize_email(expr) -%}
    nullif(lower(trim({{ expr }})), '')
{%- endmacro %}
