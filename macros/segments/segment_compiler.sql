{#- The segment compiler: declarative segment definitions (meta.segment_definitions of
    model dim_segments, in models/marts/segments/_segment_definitions.yml) to SQL.

    Everything is validated at compile time; a problem stops the build naming the segment
    and the problem. Fields come only from the allow-list of dim_customers' contract
    columns and values are only ever rendered as escaped, typed literals, so no definition
    can change the shape of the SQL.

    Rules: {all: [...]}, {any: [...]}, {not: rule} or a condition {field, op, value}.
    A condition on a null field is false (so `not` of it is true), for `!=` and `not_in`
    too. Text comparisons ignore case and surrounding spaces on both sides (lower(trim())
    of the column and of the value, as Mailchimp and HubSpot filters do); contains* compare
    whole '|'-separated options, each trimmed and lower-cased. An empty text is a value,
    not null: `= ""` matches blank text. Numbers, dates and booleans compare as they are.
    An error shows values as typed and suggests the nearest field, operator or key. -#}

{#- Operators by the kind of field they apply to. -#}
{% macro _segment_operators() -%}
    {{ return({
        'common': ['=', '!=', 'in', 'not_in', 'is_null', 'is_not_null'],
        'ordered': ['<', '<=', '>', '>=', 'between'],
        'temporal': ['within_last_days', 'not_within_last_days'],
        'text': ['starts_with', 'contains', 'contains_any', 'contains_all'],
        'reference': ['in_segment', 'not_in_segment'],
    }) }}
{%- endmacro %}

{#- The definitions, validated: ids unique and well-formed, required keys present. -#}
{% macro segment_definitions() -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set node = graph.nodes.get('model.custseg.dim_segments') -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("Segment definitions: model dim_segments not found") }}
    {%- endif -%}
    {%- set meta = node.config.meta if node.config.meta else node.meta -%}
    {%- set definitions = meta.get('segment_definitions') or [] -%}
    {%- set seen = [] -%}
    {%- set models = ['demographic', 'geographic', 'psychographic', 'technographic', 'behavioral',
        'needs', 'value', 'firmographic', 'situational', 'lifecycle', 'micro'] -%}
    {%- for definition in definitions -%}
        {%- set segment_id = definition.get('id') -%}
        {%- if segment_id is not string or not modules.re.match('^[a-z][a-z0-9_]{0,62}$', segment_id) -%}
            {{ exceptions.raise_compiler_error("Segment definition #" ~ loop.index
                ~ ": id must be lower_snake_case (a-z, 0-9, _), got " ~ _segment_shown(segment_id)) }}
        {%- endif -%}
        {%- if segment_id in seen -%}
            {{ exceptions.raise_compiler_error("Segment '" ~ segment_id ~ "': duplicate id") }}
        {%- endif -%}
        {%- do seen.append(segment_id) -%}
        {%- for key in ['name', 'description', 'owner', 'model', 'type', 'rule'] if key not in definition -%}
            {{ exceptions.raise_compiler_error("Segment '" ~ segment_id ~ "': missing '" ~ key ~ "'") }}
        {%- endfor -%}
        {%- set keys = ['id', 'name', 'description', 'owner', 'model', 'type', 'rule',
            'exclusive_group', 'priority', 'min_size', 'holdout_percent', 'created_on'] -%}
        {%- for key in definition if key not in keys -%}
            {{ exceptions.raise_compiler_error("Segment '" ~ segment_id ~ "': unknown key "
                ~ _segment_shown(key) ~ _segment_did_you_mean(key, keys)) }}
        {%- endfor -%}
        {%- set holdout = definition.get('holdout_percent', 0) -%}
        {%- if holdout is not number or holdout is sameas true or holdout is sameas false
            or holdout < 0 or holdout > 100 -%}
            {{ exceptions.raise_compiler_error("Segment '" ~ segment_id ~ "': holdout_percent "
                ~ "must be a number from 0 to 100, got " ~ _segment_shown(holdout)) }}
        {%- endif -%}
        {%- for key in ['priority', 'min_size'] if key in definition -%}
            {%- if definition[key] is not number or definition[key] is sameas true
                or definition[key] != (definition[key] | int) or definition[key] < 0 -%}
                {{ exceptions.raise_compiler_error("Segment '" ~ segment_id ~ "': " ~ key
                    ~ " must be a whole number >= 0, got " ~ _segment_shown(definition[key])) }}
            {%- endif -%}
        {%- endfor -%}
        {%- if definition.model not in models -%}
            {{ exceptions.raise_compiler_error("Segment '" ~ segment_id ~ "': model must be one of "
                ~ models | join(', ') ~ ", got " ~ _segment_shown(definition.model)) }}
        {%- endif -%}
        {%- if definition.type not in ('active', 'static') -%}
            {{ exceptions.raise_compiler_error("Segment '" ~ segment_id ~ "': type must be "
                ~ "'active' or 'static', got " ~ _segment_shown(definition.type)) }}
        {%- endif -%}
        {%- if definition.type == 'static' -%}
            {%- if not _segment_is_date(definition.get('created_on')) -%}
                {{ exceptions.raise_compiler_error("Segment '" ~ segment_id ~ "': a static segment "
                    ~ "needs created_on 'YYYY-MM-DD' (the date its membership is frozen), got "
                    ~ _segment_shown(definition.get('created_on'))) }}
            {%- endif -%}
            {%- if definition.get('exclusive_group') -%}
                {{ exceptions.raise_compiler_error("Segment '" ~ segment_id ~ "': a static segment "
                    ~ "cannot be in an exclusive group") }}
            {%- endif -%}
        {%- elif 'created_on' in definition -%}
            {{ exceptions.raise_compiler_error("Segment '" ~ segment_id ~ "': created_on applies "
                ~ "to static segments only") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(definitions) }}
{%- endmacro %}

{#- Field name -> type class (string, number, boolean, date, timestamp) from the
    contract of dim_customers: the allow-list of fields a rule may use. -#}
{% macro segment_fields() -%}
    {%- set node = graph.nodes.get('model.custseg.dim_customers') -%}
    {%- set fields = {} -%}
    {%- for column in node.columns.values() -%}
        {%- set data_type = (column.data_type or '') | lower -%}
        {%- if data_type == 'string' -%}{%- do fields.update({column.name: 'string'}) -%}
        {%- elif data_type == 'boolean' -%}{%- do fields.update({column.name: 'boolean'}) -%}
        {%- elif data_type == 'date' -%}{%- do fields.update({column.name: 'date'}) -%}
        {%- elif data_type == 'timestamp' -%}{%- do fields.update({column.name: 'timestamp'}) -%}
        {%- elif data_type in ('integer', 'bigint', 'double') or data_type.startswith('decimal') -%}
            {%- do fields.update({column.name: 'number'}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(fields) }}
{%- endmacro %}

{#- The evaluation level of every segment: 0 without in_segment references, else one
    more than the segments it refers to; all members of an exclusive group share a level
    (their exclusivity compares their raw matches). A cycle, or a reference inside the
    segment's own exclusive group, is a compile error naming the segments. -#}
{% macro segment_levels(definitions) -%}
    {%- set ids = definitions | map(attribute='id') | list -%}
    {%- set references = {} -%}
    {%- set groups = {} -%}
    {%- for definition in definitions -%}
        {%- set found = [] -%}
        {%- do _segment_references(definition.rule, found) -%}
        {%- for reference in found -%}
            {%- if reference not in ids -%}
                {{ exceptions.raise_compiler_error("Segment '" ~ definition.id
                    ~ "': in_segment refers to unknown segment " ~ _segment_shown(reference)
                    ~ _segment_did_you_mean(reference, ids)) }}
            {%- endif -%}
            {%- if definition.type == 'static' -%}
                {{ exceptions.raise_compiler_error("Segment '" ~ definition.id
                    ~ "': a static segment cannot use in_segment (its frozen rule reads dim_customers only)") }}
            {%- endif -%}
            {%- for other in definitions if other.id == reference and other.type == 'static' -%}
                {{ exceptions.raise_compiler_error("Segment '" ~ definition.id
                    ~ "': in_segment may not refer to static segment '" ~ reference ~ "'") }}
            {%- endfor -%}
            {%- for other in definitions if other.id == reference
                and definition.get('exclusive_group')
                and other.get('exclusive_group') == definition.get('exclusive_group') -%}
                {{ exceptions.raise_compiler_error("Segment '" ~ definition.id
                    ~ "': in_segment may not refer to '" ~ reference
                    ~ "' of its own exclusive group") }}
            {%- endfor -%}
        {%- endfor -%}
        {%- do references.update({definition.id: found}) -%}
        {%- do groups.update({definition.id: definition.get('exclusive_group')}) -%}
    {%- endfor -%}
    {%- set levels = {} -%}
    {%- for segment_id in ids -%}{%- do levels.update({segment_id: 0}) -%}{%- endfor -%}
    {%- for _ in range(ids | length + 1) -%}
        {%- for segment_id in ids -%}
            {%- for reference in references[segment_id] if levels[reference] + 1 > levels[segment_id] -%}
                {%- do levels.update({segment_id: levels[reference] + 1}) -%}
            {%- endfor -%}
            {%- for other in ids if groups[segment_id] and groups[other] == groups[segment_id]
                and levels[other] > levels[segment_id] -%}
                {%- do levels.update({segment_id: levels[other]}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set cyclic = [] -%}
    {%- for segment_id in ids if levels[segment_id] >= ids | length -%}
        {%- do cyclic.append(segment_id) -%}
    {%- endfor -%}
    {%- if cyclic -%}
        {{ exceptions.raise_compiler_error("Segment '" ~ cyclic[0]
            ~ "': cyclic segment reference among " ~ cyclic | join(', ')) }}
    {%- endif -%}
    {{ return(levels) }}
{%- endmacro %}

{% macro _segment_references(rule, found) -%}
    {%- if rule is mapping -%}
        {%- if rule.get('op') in ('in_segment', 'not_in_segment') -%}
            {%- do found.append(rule.get('value')) -%}
        {%- endif -%}
        {%- for key in ('all', 'any') if key in rule and rule[key] is iterable and rule[key] is not string -%}
            {%- for child in rule[key] -%}{%- do _segment_references(child, found) -%}{%- endfor -%}
        {%- endfor -%}
        {%- if 'not' in rule -%}{%- do _segment_references(rule['not'], found) -%}{%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Segments of the same exclusive group with a better (lower) priority. -#}
{% macro _segment_group_predecessors(definition, definitions) -%}
    {%- set before = [] -%}
    {%- if definition.get('exclusive_group') -%}
        {%- for other in definitions
            if other.get('exclusive_group') == definition.exclusive_group
            and other.id != definition.id
            and (other.get('priority', 1000000), other.id) < (definition.get('priority', 1000000), definition.id) -%}
            {%- do before.append(other.id) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(before) }}
{%- endmacro %}

{#- The SQL predicate of a rule (true/false, never null). `flags` maps segment ids to the
    boolean columns holding their final membership. -#}
{% macro segment_rule_sql(rule, segment_id, fields, flags) -%}
    {%- set fail = "Segment '" ~ segment_id ~ "': " -%}
    {%- if rule is not mapping -%}
        {{ exceptions.raise_compiler_error(fail ~ "a rule must be a mapping, got " ~ _segment_shown(rule)) }}
    {%- endif -%}
    {%- set groups = [] -%}
    {%- for key in ('all', 'any', 'not') if key in rule -%}{%- do groups.append(key) -%}{%- endfor -%}
    {%- if groups | length > 1 or (groups | length == 1 and rule | length > 1) -%}
        {{ exceptions.raise_compiler_error(fail ~ "a group has exactly one key (all, any or not), got "
            ~ _segment_shown(rule.keys() | list)) }}
    {%- endif -%}
    {%- if groups == ['not'] -%}
        {{ return('(not ' ~ segment_rule_sql(rule['not'], segment_id, fields, flags) ~ ')') }}
    {%- elif groups | length == 1 -%}
        {%- set children = rule[groups[0]] -%}
        {%- if children is string or children is not iterable or children | length == 0 -%}
            {{ exceptions.raise_compiler_error(fail ~ "'" ~ groups[0] ~ "' needs a non-empty list") }}
        {%- endif -%}
        {%- set parts = [] -%}
        {%- for child in children -%}
            {%- do parts.append(segment_rule_sql(child, segment_id, fields, flags)) -%}
        {%- endfor -%}
        {{ return('(' ~ parts | join(' and ' if groups[0] == 'all' else ' or ') ~ ')') }}
    {%- endif -%}
    {{ return(_segment_condition_sql(rule, segment_id, fields, flags)) }}
{%- endmacro %}

{% macro _segment_condition_sql(condition, segment_id, fields, flags) -%}
    {%- set fail = "Segment '" ~ segment_id ~ "': " -%}
    {%- set _segment_ops = _segment_operators() -%}
    {%- for key in condition if key not in ('field', 'op', 'value') -%}
        {{ exceptions.raise_compiler_error(fail ~ "unknown key " ~ _segment_shown(key)
            ~ " in a condition" ~ _segment_did_you_mean(key, ['field', 'op', 'value'])) }}
    {%- endfor -%}
    {%- set op = condition.get('op') -%}
    {%- set value = condition.get('value') -%}
    {%- set field = condition.get('field') -%}
    {%- set kind = fields[field] if field is string and field in fields else none -%}
    {%- set allowed = _segment_ops.common
        + (_segment_ops.ordered if kind in ('number', 'date', 'timestamp') else [])
        + (_segment_ops.temporal if kind in ('date', 'timestamp') else [])
        + (_segment_ops.text if kind == 'string' else []) -%}
    {%- if kind == 'boolean' -%}{%- set allowed = ['=', '!=', 'is_null', 'is_not_null'] -%}{%- endif -%}
    {%- set known = _segment_ops.values() | sum(start=[]) -%}
    {%- if op is not string or op not in known -%}
        {%- set candidates = allowed if kind else known -%}
        {{ exceptions.raise_compiler_error(fail ~ "unknown operator " ~ _segment_shown(op)
            ~ _segment_did_you_mean(op, candidates, {'==': '=', '<>': '!=', 'eq': '=',
                'equals': '=', 'is': '=', 'ne': '!=', 'not_equals': '!=', 'is_not': '!=',
                'lt': '<', 'lte': '<=', 'gt': '>', 'gte': '>='})
            ~ " (operators" ~ (" for " ~ kind ~ " field '" ~ field ~ "'" if kind else "")
            ~ ": " ~ candidates | join(', ') ~ ")") }}
    {%- endif -%}
    {%- if op in _segment_ops.reference -%}
        {%- if value is not string or value not in flags -%}
            {{ exceptions.raise_compiler_error(fail ~ op ~ " refers to unknown segment "
                ~ _segment_shown(value) ~ _segment_did_you_mean(value, flags.keys() | list)) }}
        {%- endif -%}
        {{ return(('' if op == 'in_segment' else 'not ') ~ flags[value]) }}
    {%- endif -%}
    {%- if not kind -%}
        {{ exceptions.raise_compiler_error(fail ~ "unknown field " ~ _segment_shown(field)
            ~ _segment_did_you_mean(field, fields.keys() | list)
            ~ " (fields are the columns of dim_customers)") }}
    {%- endif -%}
    {%- if op not in allowed -%}
        {{ exceptions.raise_compiler_error(fail ~ "operator " ~ _segment_shown(op) ~ " is not allowed for "
            ~ kind ~ " field '" ~ field ~ "' (allowed: " ~ allowed | join(', ') ~ ")") }}
    {%- endif -%}
    {%- if op in ('is_null', 'is_not_null') -%}
        {%- if value is not none -%}
            {{ exceptions.raise_compiler_error(fail ~ op ~ " on '" ~ field ~ "' takes no value") }}
        {%- endif -%}
        {{ return('(' ~ field ~ (' is null)' if op == 'is_null' else ' is not null)')) }}
    {%- endif -%}
    {%- set column = _segment_text_sql(field) if kind == 'string' else field -%}
    {%- if op in ('in', 'not_in', 'contains_any', 'contains_all', 'between') -%}
        {%- if value is string or value is not iterable or value is mapping or value | length == 0 -%}
            {{ exceptions.raise_compiler_error(fail ~ op ~ " on '" ~ field ~ "' needs a non-empty list") }}
        {%- endif -%}
        {%- if op == 'between' and value | length != 2 -%}
            {{ exceptions.raise_compiler_error(fail ~ "between on '" ~ field ~ "' needs [low, high]") }}
        {%- endif -%}
        {%- set literals = [] -%}
        {%- for item in value -%}
            {%- do literals.append(_segment_literal(item, kind, field, segment_id, op)) -%}
        {%- endfor -%}
    {%- elif op in _segment_ops.temporal -%}
        {%- if value is not number or value is sameas true or value is sameas false
            or value != (value | int) or value < 1 -%}
            {{ exceptions.raise_compiler_error(fail ~ op ~ " on '" ~ field
                ~ "' needs a whole number of days >= 1, got " ~ _segment_shown(value)) }}
        {%- endif -%}
    {%- else -%}
        {%- set literal = _segment_literal(value, kind, field, segment_id, op) -%}
    {%- endif -%}
    {%- set options = dbt.concat(
        ["'|'", 'coalesce(' ~ multiselect_answer(field) ~ ", '')", "'|'"]) -%}
    {%- if op in ('=', '!=', '<', '<=', '>', '>=') -%}
        {%- set sql = column ~ ' ' ~ op ~ ' ' ~ literal -%}
    {%- elif op == 'in' -%}
        {%- set sql = column ~ ' in (' ~ literals | join(', ') ~ ')' -%}
    {%- elif op == 'not_in' -%}
        {%- set sql = column ~ ' not in (' ~ literals | join(', ') ~ ')' -%}
    {%- elif op == 'between' -%}
        {%- set sql = column ~ ' between ' ~ literals[0] ~ ' and ' ~ literals[1] -%}
    {%- elif op == 'starts_with' -%}
        {%- set sql = dbt.position(literal, column) ~ ' = 1' -%}
    {%- elif op == 'contains' -%}
        {%- set sql = dbt.position(dbt.concat(["'|'", literal, "'|'"]), options) ~ ' > 0' -%}
    {%- elif op in ('contains_any', 'contains_all') -%}
        {%- set parts = [] -%}
        {%- for item in literals -%}
            {%- do parts.append(dbt.position(dbt.concat(["'|'", item, "'|'"]), options) ~ ' > 0') -%}
        {%- endfor -%}
        {%- set sql = '(' ~ parts | join(' or ' if op == 'contains_any' else ' and ') ~ ')' -%}
    {%- elif op == 'within_last_days' -%}
        {%- set sql = 'cast(' ~ column ~ ' as date) > ' ~ days_before_as_of(value | int)
            ~ ' and cast(' ~ column ~ ' as date) <= ' ~ as_of_date() -%}
    {%- elif op == 'not_within_last_days' -%}
        {%- set sql = 'not coalesce(cast(' ~ column ~ ' as date) > ' ~ days_before_as_of(value | int)
            ~ ' and cast(' ~ column ~ ' as date) <= ' ~ as_of_date() ~ ', false)' -%}
    {%- endif -%}
    {{ return('coalesce(' ~ sql ~ ', false)') }}
{%- endmacro %}

{#- A real calendar date written YYYY-MM-DD (2026-02-30 is not). -#}
{% macro _segment_is_date(value) -%}
    {%- if value is not string or not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set year, month, day = value[0:4] | int, value[5:7] | int, value[8:10] | int -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set lengths = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {{ return(year >= 1 and 1 <= month <= 12 and 1 <= day <= lengths[month - 1]) }}
{%- endmacro %}

{#- A value as a typed, escaped SQL literal, or a compile error naming the segment; a
    text as lower(trim(literal)), to compare with a text column the same way. -#}
{% macro _segment_literal(value, kind, field, segment_id, op) -%}
    {%- set fail = "Segment '" ~ segment_id ~ "': " ~ op ~ " on " ~ kind ~ " field '" ~ field ~ "' " -%}
    {%- if kind == 'number' -%}
        {%- if value is not number or value is sameas true or value is sameas false -%}
            {{ exceptions.raise_compiler_error(fail ~ "needs a number, got " ~ _segment_shown(value)) }}
        {%- endif -%}
        {{ return('(' ~ (value | string) ~ ')') }}
    {%- elif kind == 'boolean' -%}
        {%- if value is not sameas true and value is not sameas false -%}
            {{ exceptions.raise_compiler_error(fail ~ "needs true or false, got " ~ _segment_shown(value)) }}
        {%- endif -%}
        {{ return('true' if value else 'false') }}
    {%- elif kind in ('date', 'timestamp') -%}
        {%- if not _segment_is_date(value) -%}
            {{ exceptions.raise_compiler_error(fail ~ "needs a date 'YYYY-MM-DD', got " ~ _segment_shown(value)) }}
        {%- endif -%}
        {{ return("cast('" ~ value ~ "' as " ~ kind ~ ")") }}
    {%- else -%}
        {%- if value is not string -%}
            {{ exceptions.raise_compiler_error(fail ~ "needs a string, got " ~ _segment_shown(value)) }}
        {%- endif -%}
        {%- if op in ('contains', 'contains_any', 'contains_all') and '|' in value -%}
            {{ exceptions.raise_compiler_error(fail ~ "takes options without '|', got " ~ _segment_shown(value)) }}
        {%- endif -%}
        {%- if op in _segment_operators().text and value | trim == '' -%}
            {{ exceptions.raise_compiler_error(fail ~ "needs a non-blank text, got " ~ _segment_shown(value)) }}
        {%- endif -%}
        {{ return(_segment_text_sql(string_literal(value))) }}
    {%- endif -%}
{%- endmacro %}

{#- Text as rules compare it: case and surrounding spaces ignored (lower and trim, the same
    on DuckDB and Spark), applied to the column and to the value alike. -#}
{% macro _segment_text_sql(expr) -%}
    {{ return('lower(trim(' ~ expr ~ '))') }}
{%- endmacro %}

{#- A value as a person typed it, for messages and dim_segments: text in double quotes,
    lists in brackets, with no escaping of <, >, ' or letters like ü (Jinja's tojson writes
    \u003c for <). -#}
{% macro _segment_shown(value) -%}
    {%- if value is none -%}{{ return('null') }}
    {%- elif value is sameas true or value is sameas false -%}{{ return(value | string | lower) }}
    {%- elif value is string -%}{{ return('"' ~ value ~ '"') }}
    {%- elif value is mapping -%}
        {%- set parts = [] -%}
        {%- for key in value -%}{%- do parts.append(_segment_shown(key) ~ ': ' ~ _segment_shown(value[key])) -%}{%- endfor -%}
        {{ return('{' ~ parts | join(', ') ~ '}') }}
    {%- elif value is iterable -%}
        {%- set parts = [] -%}
        {%- for item in value -%}{%- do parts.append(_segment_shown(item)) -%}{%- endfor -%}
        {{ return('[' ~ parts | join(', ') ~ ']') }}
    {%- else -%}{{ return(value | string) }}
    {%- endif -%}
{%- endmacro %}

{#- '; did you mean "x"?' for the candidate nearest to what was typed, or '' when none is
    near. Near: a known alias (`==` for `=`), else the fewest edits (insert, delete,
    substitute or swap two neighbours, ignoring case) when at most a third of the typed
    length (1 to 3), else the only candidate that contains the typed text. -#}
{% macro _segment_did_you_mean(typed, candidates, aliases={}) -%}
    {%- if typed is not string or typed | trim == '' -%}{{ return('') }}{%- endif -%}
    {%- set text = typed | trim | lower -%}
    {%- set best = namespace(name=none, score=none) -%}
    {%- set limit = [1, [3, (text | length) // 3] | min] | max -%}
    {%- if aliases.get(text) in candidates -%}
        {%- set best.name = aliases[text] -%}
    {%- else -%}
        {#- fewest edits first; of equally near ones, the closest in length ('=<' is '<=') -#}
        {%- for candidate in candidates -%}
            {%- set distance = _segment_edit_distance(text, candidate | lower) -%}
            {%- set score = [distance, ((candidate | length) - (text | length)) | abs] -%}
            {%- if distance <= limit and (best.score is none or score < best.score) -%}
                {%- set best.name = candidate -%}
                {%- set best.score = score -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if best.name is none and text | length >= 4 -%}
        {%- set containing = [] -%}
        {%- for candidate in candidates if text in candidate | lower -%}
            {%- do containing.append(candidate) -%}
        {%- endfor -%}
        {%- if containing | length == 1 -%}{%- set best.name = containing[0] -%}{%- endif -%}
    {%- endif -%}
    {{ return('' if best.name is none or best.name == typed else '; did you mean ' ~ _segment_shown(best.name) ~ '?') }}
{%- endmacro %}

{#- Edits (insert, delete, substitute, swap of neighbours) from one text to another: the
    optimal string alignment distance, row by row. -#}
{% macro _segment_edit_distance(a, b) -%}
    {%- set rows = [range(b | length + 1) | list] -%}
    {%- for i in range(1, a | length + 1) -%}
        {%- set current = [i] -%}
        {%- for j in range(1, b | length + 1) -%}
            {%- set costs = [rows[-1][j] + 1, current[j - 1] + 1,
                rows[-1][j - 1] + (0 if a[i - 1] == b[j - 1] else 1)] -%}
            {%- if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] -%}
                {%- do costs.append(rows[-2][j - 2] + 1) -%}
            {%- endif -%}
            {%- do current.append(costs | min) -%}
        {%- endfor -%}
        {%- do rows.append(current) -%}
    {%- endfor -%}
    {{ return(rows[-1][-1]) }}
{%- endmacro %}

{#- A human-readable rendering of a rule, for dim_segments. -#}
{% macro segment_rule_text(rule) -%}
    {%- if rule is mapping and 'all' in rule -%}
        {%- set parts = [] -%}{%- for child in rule['all'] -%}{%- do parts.append(segment_rule_text(child)) -%}{%- endfor -%}
        {{ return('(' ~ parts | join(' AND ') ~ ')') }}
    {%- elif rule is mapping and 'any' in rule -%}
        {%- set parts = [] -%}{%- for child in rule['any'] -%}{%- do parts.append(segment_rule_text(child)) -%}{%- endfor -%}
        {{ return('(' ~ parts | join(' OR ') ~ ')') }}
    {%- elif rule is mapping and 'not' in rule -%}
        {{ return('NOT ' ~ segment_rule_text(rule['not'])) }}
    {%- elif rule.get('op') in ('in_segment', 'not_in_segment') -%}
        {{ return(('in segment ' if rule.op == 'in_segment' else 'not in segment ') ~ rule.value) }}
    {%- elif rule.get('op') in ('is_null', 'is_not_null') -%}
        {{ return(rule.field ~ (' is unknown' if rule.op == 'is_null' else ' is known')) }}
    {%- else -%}
        {{ return(rule.field ~ ' ' ~ rule.op | replace('_', ' ') ~ ' ' ~ _segment_shown(rule.value)) }}
    {%- endif -%}
{%- endmacro %}

{#- True when a customer is in a segment's control group: a stable hash of customer and
    segment (0-9999) below holdout_percent * 100. The same customer stays in or out of a
    segment's holdout across builds and engines. -#}
{% macro segment_holdout_flag(customer_id, segment_id, holdout_percent) -%}
    {{ stable_hash_bucket(dbt.concat([customer_id, "'|'", segment_id]), 10000) }}
        < {{ holdout_percent }} * 100
{%- endmacro %}
