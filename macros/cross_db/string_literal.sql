{#- Any text as a SQL string literal of the target engine, escaped so that no value can
    end the literal early. -#}
{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'custseg')(value | string)) }}
{%- endmacro %}

{#- Standard SQL (DuckDB, Postgres, ...): a quote is doubled; backslashes are plain text. -#}
{% macro default__string_literal(value) -%}
    {{ return("'" ~ value | replace("'", "''") ~ "'") }}
{%- endmacro %}

{#- Spark: backslash escapes, and adjacent literals concatenate, so '' cannot escape. -#}
{% macro spark__string_literal(value) -%}
    {{ return("'" ~ value | replace("\\", "\\\\") | replace("'", "\\'") ~ "'") }}
{%- endmacro %}
