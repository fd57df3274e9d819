{#- Per surviving customer, the derived demographic and firmographic attributes: age at
    as_of_date (macro age_in_years) and the bands marketers segment by. Income bands are
    in the reporting currency; company size bands follow the EU SME classes. -#}
with

customers as (
    select
        customer_id,
        birth_date,
        annual_income,
        industry,
        company_size,
        company_name
    from {{ ref('int_customers_merged') }}
),

aged as (
    select
        *,
        {{ age_in_years('birth_date', as_of_date()) }} as age_at_as_of
    from customers
),

final as (
    select
        customer_id,
        cast(case when age_at_as_of >= 0 then age_at_as_of end as {{ dbt.type_int() }}) as age,
        case
            when age_at_as_of is null or age_at_as_of < 0 then null
            when age_at_as_of < 18 then 'under_18'
            when age_at_as_of < 25 then '18_24'
            when age_at_as_of < 35 then '25_34'
            when age_at_as_of < 45 then '35_44'
            when age_at_as_of < 55 then '45_54'
            when age_at_as_of < 65 then '55_64'
            else '65_plus'
        end as age_band,
        case
            when annual_income is null then null
            when annual_income < 25000 then 'under_25k'
            when annual_income < 50000 then '25k_50k'
            when annual_income < 75000 then '50k_75k'
            when annual_income < 100000 then '75k_100k'
            when annual_income < 150000 then '100k_150k'
            else '150k_plus'
        end as income_band,
        coalesce(
            industry is not null or company_size is not null or company_name is not null,
            false
        ) as is_b2b,
        case
            when company_size is null then null
            when company_size <= 1 then '1'
            when company_size < 10 then '2_9'
            when company_size < 50 then '10_49'
            when company_size < 250 then '50_249'
            else '250_plus'
        end as company_size_band
    from aged
)

select * from final
