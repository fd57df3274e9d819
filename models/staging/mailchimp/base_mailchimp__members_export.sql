{#- Every row of the Mailchimp audience exports as it landed (text), with its file and
    position: one row per member and export file. -#}
{{ select_tool_export(source('mailchimp', 'members_export')) }}
