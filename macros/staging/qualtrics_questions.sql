{#- var qualtrics_questions, checked: a list of {question (the export's column, e.g. Q1),
    attribute (a survey question of macro survey_questions), multiple (its kind is
    multiple: the answer may hold several codes separated by commas), answers (a list of
    {code, value}, codes as text)}. A mistake stops the compilation with an error that
    names the question and what is wrong. -#}
{% macro qualtrics_questions() -%}
    {%- set known = survey_questions() -%}
    {%- set declared = var('qualtrics_questions', none) or {} -%}
    {%- set problem = 'var qualtrics_questions: ' -%}
    {%- if declared is not mapping -%}
        {{ exceptions.raise_compiler_error(problem ~ "expected a mapping of Qualtrics "
            ~ "questions (the export's column, e.g. Q1) to {attribute: ..., answers: {...}}, "
            ~ "got " ~ declared | string) }}
    {%- endif -%}
    {%- set questions = [] -%}
    {%- for question, spec in declared.items() -%}
        {%- set here = problem ~ "question '" ~ question ~ "': " -%}
        {%- if not modules.re.match('^[A-Za-z0-9_]+$', question | string) -%}
            {{ exceptions.raise_compiler_error(here ~ "not a Qualtrics column name "
                ~ "(letters, digits and _, e.g. Q1 or Q2_3)") }}
        {%- endif -%}
        {%- if spec is not mapping -%}
            {{ exceptions.raise_compiler_error(here ~ "expected {attribute: ..., answers: "
                ~ "{code: value, ...}}, got " ~ spec | string) }}
        {%- endif -%}
        {%- for key in spec if key not in ('attribute', 'answers') -%}
            {{ exceptions.raise_compiler_error(here ~ "unknown key '" ~ key
                ~ "' (expected attribute and answers)") }}
        {%- endfor -%}
        {%- if spec.get('attribute') not in known -%}
            {{ exceptions.raise_compiler_error(here ~ "attribute '" ~ spec.get('attribute')
                ~ "' is not one the warehouse knows: " ~ known.keys() | sort | join(', ')) }}
        {%- endif -%}
        {%- set answers = spec.get('answers') if spec.get('answers') is not none else {} -%}
        {%- if answers is not mapping -%}
            {{ exceptions.raise_compiler_error(here ~ "answers must map the export's codes "
                ~ "(or choice texts) to values, e.g. {1: email, 2: sms}; got "
                ~ answers | string) }}
        {%- endif -%}
        {%- set mapped = [] -%}
        {%- for code, value in answers.items() -%}
            {%- if value is none or value is mapping or (value | string | trim) == ''
                or '|' in value | string -%}
                {{ exceptions.raise_compiler_error(here ~ "answer " ~ code ~ " maps to "
                    ~ (value | string if value is not none else 'nothing')
                    ~ ": expected one value without |") }}
            {%- endif -%}
            {%- do mapped.append({
                'code': code | string | trim | lower,
                'value': value | string | trim | lower,
            }) -%}
        {%- endfor -%}
        {%- do questions.append({
            'question': question | string,
            'attribute': spec.attribute,
            'multiple': known[spec.attribute] == 'multiple',
            'answers': mapped,
        }) -%}
    {%- endfor -%}
    {{ return(questions) }}
{%- endmacro %}
