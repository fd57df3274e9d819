{#- The one matchable identifier of a person: hex SHA-256 of the normalised email
    (normalize_email), as ad platforms expect. Null when there is no email. -#}
{% macro hash_email(expr) -%}
    {{ return(adapter.dispatch('hash_email', 'custseg')(expr)) }}
{%- endmacro %}

{% macro default__hash_email(expr) -%}
    sha256({{ normalize_email(expr) }})
{%- endmacro %}

{% macro spark__hash_email(expr) -%}
    sha2({{ normalize_email(expr) }}, 256)
{%- endmacro %}
