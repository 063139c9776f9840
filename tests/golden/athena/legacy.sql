SELECT date_format(line_item_usage_start_date, '%Y-%m-%d') AS line_item_usage_start_date,
  date_format(bill_billing_period_start_date, '%Y-%m-%d') AS bill_billing_period_start_date,
  NULLIF(bill_payer_account_id, '') AS bill_payer_account_id,
  NULLIF(line_item_usage_account_id, '') AS line_item_usage_account_id,
  NULLIF(product_product_name, '') AS product_product_name,
  NULLIF(line_item_product_code, '') AS line_item_product_code,
  NULLIF(product_region, '') AS product_region_code,
  NULLIF(line_item_usage_type, '') AS line_item_usage_type,
  line_item_line_item_type AS line_item_line_item_type,
  NULLIF(line_item_resource_id, '') AS line_item_resource_id,
  NULLIF(line_item_currency_code, '') AS line_item_currency_code,
  CASE WHEN line_item_line_item_type = 'Fee' THEN NULLIF(reservation_reservation_a_r_n, '') END AS reservation_reservation_a_r_n,
  resource_tags_user_team AS resource_tags_user_team,
  resource_tags_user_env AS resource_tags_user_env,
  SUM(CAST(line_item_unblended_cost AS DECIMAL(38,10))) AS line_item_unblended_cost,
  SUM(CAST(pricing_public_on_demand_cost AS DECIMAL(38,10))) AS pricing_public_on_demand_cost,
  SUM(line_item_usage_amount) AS line_item_usage_amount,
  SUM(CAST(savings_plan_savings_plan_effective_cost AS DECIMAL(38,10))) AS savings_plan_savings_plan_effective_cost,
  SUM(CAST(reservation_effective_cost AS DECIMAL(38,10))) AS reservation_effective_cost,
  SUM(CAST(reservation_unused_amortized_upfront_fee_for_billing_period AS DECIMAL(38,10))) AS reservation_unused_amortized_upfront_fee_for_billing_period,
  SUM(CAST(reservation_unused_recurring_fee AS DECIMAL(38,10))) AS reservation_unused_recurring_fee
FROM "cur"."legacy"
WHERE year = '2026' AND month = '11'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
