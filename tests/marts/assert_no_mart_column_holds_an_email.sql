-- No text column of any mart outside the restricted schema holds an email-like string:
-- raw PII lives in restricted.customer_pii only. The columns come from the marts'
-- contracts, so a new mart is covered as soon as it is documented (add it to the hints
-- below so that `dbt build` runs this test after it). One scan per mart: its text
-- columns joined by spaces, which the pattern cannot match across; a failing row shows
-- the mart and those columns' values.
-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('fct_order_items') }}
-- depends_on: {{ ref('fct_sessions') }}
-- depends_on: {{ ref('fct_email_messages') }}
-- depends_on: {{ ref('dim_customers') }}
-- depends_on: {{ ref('customer_rfm') }}
-- depends_on: {{ ref('customer_rfm_monthly') }}
-- depends_on: {{ ref('customer_rfm_segment_transitions') }}
-- depends_on: {{ ref('customer_value') }}
-- depends_on: {{ ref('clv_model_parameters') }}
-- depends_on: {{ ref('customer_lead_scores') }}
-- depends_on: {{ ref('dim_segments') }}
-- depends_on: {{ ref('segment_memberships') }}
-- depends_on: {{ ref('audience_exports') }}
-- depends_on: {{ ref('segment_sizes') }}
-- depends_on: {{ ref('segment_overlaps') }}
-- depends_on: {{ ref('segment_membership_history') }}
-- depends_on: {{ ref('segment_performance') }}
{%- set marts = [] %}
{%- if execute %}
{%- for node in graph.nodes.values() if node.resource_type == 'model' %}
{%- if node.fqn[1] == 'marts' and node.config.schema != 'restricted' %}
{%- set text_columns = [] %}
{%- for column in node.columns.values() %}
{%- if (column.data_type or '') | lower in ('string', 'varchar', 'text') %}
{%- do text_columns.append(column.name) %}
{%- endif %}
{%- endfor %}
{%- if text_columns %}{% do marts.append((node, text_columns)) %}{% endif %}
{%- endif %}
{%- endfor %}
{%- endif %}
{%- if marts | length == 0 %}
select 'no mart text columns found' as problem
{%- else %}
{%- set email = '[^@ ]+@[^@ ]+[.][A-Za-z]{2,}' %}
{%- for node, text_columns in marts %}
{%- set joined = text_columns | join(', ') %}
select
    '{{ node.name }}' as model_name,
    concat_ws(' | ', {{ joined }}) as found_values
from {{ api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) }}
where {{ regex_matches("concat_ws(' ', " ~ joined ~ ")", email) }}
{{ 'union all' if not loop.last }}
{%- endfor %}
{%- endif %}
