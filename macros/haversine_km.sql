{#- Great-circle distance in km between two points given in degrees (mean Earth radius
    6371.0088 km). Portable: radians, sin, cos, asin and sqrt exist on every engine. -#}
{% macro haversine_km(latitude_a, longitude_a, latitude_b, longitude_b) -%}
    2 * 6371.0088 * asin(sqrt(
        power(sin(radians(({{ latitude_b }}) - ({{ latitude_a }})) / 2), 2)
        + cos(radians({{ latitude_a }})) * cos(radians({{ latitude_b }}))
        * power(sin(radians(({{ longitude_b }}) - ({{ longitude_a }})) / 2), 2)
    ))
{%- endmacro %}
