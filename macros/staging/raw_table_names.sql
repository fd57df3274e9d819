{#- The raw contract's tables, in contract order. Models that loop over every raw table
    use this list; a test keeps it equal to the contract. -#}
{% macro raw_table_names() -%}
    {{ return([
        'customers', 'orders', 'order_items', 'products', 'web_events', 'email_events',
        'campaigns', 'survey_responses', 'consents', 'loyalty_members', 'reviews',
        'event_registrations', 'erasure_requests', 'fx_rates',
    ]) }}
{%- endmacro %}
