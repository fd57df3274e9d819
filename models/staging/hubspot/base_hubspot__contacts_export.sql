{#- Every row of the HubSpot contacts exports as it landed (text), with its file and
    position: one row per contact and export. -#}
{{ select_tool_export(source('hubspot', 'contacts_export')) }}
