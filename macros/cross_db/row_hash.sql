{#- A 64-bit hash of the given columns' values, to add up into a fingerprint of a set of
    rows (int_customer_rfm_snapshots: did a snapshot's inputs change since the last build?).
    Within one engine and version equal values hash equally; nothing compares it across. -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'custseg')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{% macro duckdb__row_hash(columns) -%}
    cast(hash({{ columns | join(', ') }}) as hugeint)
{%- endmacro %}
