SELECT date_format(chargeperiodstart, '%Y-%m-%d') AS ChargePeriodStart,
  date_format(billingperiodstart, '%Y-%m-%d') AS BillingPeriodStart,
  NULLIF(providername, '') AS ProviderName,
  NULLIF(billingaccountid, '') AS BillingAccountId,
  NULLIF(subaccountid, '') AS SubAccountId,
  NULLIF(servicename, '') AS ServiceName,
  NULLIF(regionid, '') AS RegionId,
  NULLIF(skuid, '') AS x_UsageType,
  NULLIF(chargecategory, '') AS ChargeCategory,
  NULLIF(resourceid, '') AS ResourceId,
  NULLIF(billingcurrency, '') AS BillingCurrency,
  json_format(CAST(tags AS JSON)) AS Tags,
  SUM(CAST(billedcost AS DECIMAL(38,10))) AS BilledCost,
  SUM(CAST(effectivecost AS DECIMAL(38,10))) AS EffectiveCost,
  SUM(CAST(listcost AS DECIMAL(38,10))) AS ListCost,
  SUM(consumedquantity) AS ConsumedQuantity
FROM "cur"."focus"
WHERE billing_period = '2026-11'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
