{#- No mart (restricted included) holds a customer who asked for erasure, in any column
    that names a customer (customer_id, source_customer_id): the ids come from the ephemeral
    base_raw__erased_customer_ids, read from the raw files, so the check does not trust the
    staging that erased them. Returns, per mart and column, how many erased ids it holds:
    counts only, never the ids (run with --store-failures, the test must not store them).
    The marts come from the graph: a mart with a customer column that is not among the
    depends_on hints below stops the test with an error naming it, so none is left out. -#}
-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('fct_order_items') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('fct_email_messages') }}
-- depends_on: {{ ref('dim_customers') }}
-- depends_on: {{ ref('customer_pii') }}
-- depends_on: {{ ref('customer_rfm') }}
-- depends_on: {{ ref('customer_rfm_monthly') }}
-- depends_on: {{ ref('customer_value') }}
-- depends_on: {{ ref('customer_lead_scores') }}
-- depends_on: {{ ref('segment_memberships') }}
-- depends_on: {{ ref('segment_membership_history') }}
-- depends_on: {{ ref('static_segment_members') }}
-- depends_on: {{ ref('audience_exports') }}
{%- set customer_columns = ['customer_id', 'source_customer_id'] %}
{%- set checks = [] %}
{%- set missing_hints = [] %}
{%- if execute %}
{%- for node in graph.nodes.values()
    if node.resource_type == 'model' and node.fqn[1] == 'marts' %}
{%- for column_name in customer_columns if column_name in node.columns %}
{%- do checks.append((node, column_name)) %}
{%- if node.unique_id not in model.depends_on.nodes and node.unique_id not in missing_hints %}
{%- do missing_hints.append(node.unique_id) %}
{%- endif %}
{%- endfor %}
{%- endfor %}
{%- if missing_hints %}
{{ exceptions.raise_compiler_error(
    "assert_no_mart_holds_an_erased_customer: add a `-- depends_on:` ref hint for "
    ~ missing_hints | join(', ') ~ ", so that the test runs after it") }}
{%- endif %}
{%- endif %}

with

erased as (
    select erased_key as customer_id
    from {{ ref('base_raw__erased_customer_ids') }}
),

found as (
    {%- if checks | length == 0 %}
    select
        'no mart with a customer column found' as model_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        1 as erased_customer_count
    {%- endif %}
    {%- for node, column_name in checks %}
    select
        '{{ node.name }}' as model_name,
        '{{ column_name }}' as column_name,
        count(*) as erased_customer_count
    from {{ api.Relation.create(
        database=node.database, schema=node.schema, identifier=node.alias) }} as mart
    inner join erased
        on mart.{{ column_name }} = erased.customer_id
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select *
from found
where erased_customer_count > 0
