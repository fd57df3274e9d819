{#- The raw contract of one source table, read from its node in the sources YAML
    (rendered from the contract): name, key, version_column, parents, erasure, required, and the
    columns in contract order, each with type, required, values, min, max, gt, pattern. -#}
{% macro raw_contract_spec(source_relation) -%}
    {%- if not execute -%}
        {#- Parsing: the graph is not built yet; only the source()/ref() calls matter. -#}
        {{ return({'name': source_relation.identifier, 'required': false, 'key': [],
            'version_column': none, 'parents': {}, 'erasure': [], 'columns': []}) }}
    {%- endif -%}
    {%- set matches = [] -%}
    {%- for node in graph.sources.values()
        if node.source_name == 'raw' and node.identifier == source_relation.identifier -%}
        {%- do matches.append(node) -%}
    {%- endfor -%}
    {%- if matches | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "No raw contract table with identifier '" ~ source_relation.identifier
            ~ "' in models/staging/raw/_raw__sources.yml") }}
    {%- endif -%}
    {%- set node = matches[0] -%}
    {%- set table_meta = node.config.meta if node.config.meta else node.meta -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set meta = column.config.meta if (column.config and column.config.meta) else column.meta -%}
        {%- do columns.append({
            'name': column.name,
            'type': meta.contract_type | lower,
            'required': meta.required | default(false),
            'values': meta['values'] if 'values' in meta else none,
            'min': meta['min'] if 'min' in meta else none,
            'max': meta['max'] if 'max' in meta else none,
            'gt': meta['gt'] if 'gt' in meta else none,
            'pattern': meta['pattern'] if 'pattern' in meta else none,
        }) -%}
    {%- endfor -%}
    {{ return({
        'name': node.name,
        'required': table_meta.contract_required | default(false),
        'key': table_meta.key,
        'version_column': table_meta.version_column | default(none),
        'parents': table_meta.parents | default({}),
        'erasure': table_meta.erasure | default([]),
        'columns': columns,
    }) }}
{%- endmacro %}
