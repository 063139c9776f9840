// The savings calculator: the monthly and yearly savings of the selected recommendations.
export function totalSavings(selected: { monthly_savings: string }[]):
    { monthly: number; yearly: number } {
  const monthly = selected.reduce((sum, r) => sum + Number(r.monthly_savings), 0);
  return { monthly, yearly: monthly * 12 };
}
