{#- The zero-party survey questions the warehouse understands (survey_responses'
    question_key) and their kind: multiple (several options, 'a|b'), single (one option)
    or number (nps, 0-10). int_customers_survey_answers_pivoted makes a column of each;
    the Qualtrics connector maps a survey's questions onto them. -#}
{% macro survey_questions() -%}
    {{ return({
        'interests': 'multiple',
        'values': 'multiple',
        'needs': 'multiple',
        'personality': 'single',
        'budget': 'single',
        'purchase_intent': 'single',
        'preferred_channel': 'single',
        'contact_frequency': 'single',
        'nps': 'number',
    }) }}
{%- endmacro %}
