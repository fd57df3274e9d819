{#- Parse a trimmed, non-empty text value into the contract's logical type; null when it does
    not parse (the caller reports bad_type). Text is gated by a pattern first, so every engine
    accepts exactly the same spellings:
    integer  [+-]digits                   decimal(p,s)  plain or exponent notation, rounded to s
    boolean  true/false t/f yes/no y/n 1/0 (any case)
    date     YYYY-MM-DD                   timestamp     ISO-8601, optional offset (none = UTC)
    Enumerations (contract `values`) are lower-cased. -#}
{% macro parse_contract_value(expr, column) -%}
    {%- set type = column.type -%}
    {%- if type == 'string' and column['values'] -%}
        lower({{ expr }})
    {%- elif type == 'string' -%}
        {{ expr }}
    {%- elif type == 'integer' -%}
        case when {{ regex_matches(expr, '^[+-]?[0-9]{1,18}$') }}
            then cast({{ expr }} as {{ dbt.type_bigint() }}) end
    {%- elif type.startswith('decimal') -%}
        case when {{ regex_matches(expr, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$') }}
            then {{ dbt.safe_cast(expr, type) }} end
    {%- elif type == 'boolean' -%}
        case
            when lower({{ expr }}) in ('true', 't', 'yes', 'y', '1') then true
            when lower({{ expr }}) in ('false', 'f', 'no', 'n', '0') then false
        end
    {%- elif type == 'date' -%}
        case when {{ regex_matches(expr, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
            then {{ dbt.safe_cast(expr, 'date') }} end
    {%- elif type == 'timestamp' -%}
        case when {{ regex_matches(expr, '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?[ ]?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?$') }}
            then {{ parse_utc_timestamp(expr) }} end
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "Raw contract column '" ~ column.name ~ "' has unknown type '" ~ type ~ "'") }}
    {%- endif -%}
{%- endmacro %}
