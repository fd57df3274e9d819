{#- A stable bucket 0 .. buckets-1 for a text: the first 15 hex digits of its MD5 as a
    number, modulo buckets. The same text gets the same bucket on every build and on
    every engine (DuckDB and Spark compute the same number). -#}
{% macro stable_hash_bucket(expr, buckets) -%}
    {{ return(adapter.dispatch('stable_hash_bucket', 'custseg')(expr, buckets)) }}
{%- endmacro %}

{% macro default__stable_hash_bucket(expr, buckets) -%}
    pmod(cast(conv(substr(md5({{ expr }}), 1, 15), 16, 10) as bigint), {{ buckets }})
{%- endmacro %}

{% macro duckdb__stable_hash_bucket(expr, buckets) -%}
    (cast('0x' || substr(md5({{ expr }}), 1, 15) as bigint) % {{ buckets }})
{%- endmacro %}
