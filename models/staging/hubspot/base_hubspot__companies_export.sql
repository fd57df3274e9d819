{#- Every row of the HubSpot companies exports as it landed (text), with its file and
    position: one row per company and export. -#}
{{ select_tool_export(source('hubspot', 'companies_export')) }}
