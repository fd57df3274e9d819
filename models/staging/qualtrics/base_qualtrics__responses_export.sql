{#- Every cell of the Qualtrics response exports as it landed (text): one row per row of
    the files (the two header rows after the column names too: question texts, import ids)
    and column not listed in the source (the questions, embedded data, ...), with the
    listed columns (ResponseId, RecordedDate, RecipientEmail, ...) on every row. -#}
{{ select_tool_export(source('qualtrics', 'responses_export')) }}
