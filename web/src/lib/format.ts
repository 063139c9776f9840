// How amounts, percentages and dates read in the UI. Amounts arrive as exact decimal strings
// ("1234.567890123"); they are shown to the cent with their currency.

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, compact: boolean): Intl.NumberFormat {
  const key = `${currency}/${compact}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat("en-US", {
      style: "currency",
      currency,
      ...(compact ? { notation: "compact", maximumFractionDigits: 1 } : {}),
    });
    moneyFormats.set(key, format);
  }
  return format;
}

// "1234.5" -> "$1,234.50"; compact: "$1.2K". An empty or malformed amount is "—".
export function formatMoney(amount: string | number | undefined | null, currency = "USD",
                            compact = false): string {
  if (amount === undefined || amount === null || amount === "") return "—";
  const value = typeof amount === "number" ? amount : Number(amount);
  if (!Number.isFinite(value)) return "—";
  try {
    return moneyFormat(currency, compact).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;  // a currency code Intl does not know
  }
}

// 12.345 -> "+12.3%"; null -> "—".
export function formatPercent(percent: number | null | undefined, signed = true): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return "—";
  const text = `${Math.abs(percent) < 10 ? percent.toFixed(1) : Math.round(percent)}%`;
  return signed && percent > 0 ? `+${text}` : text;
}

const dayFormat = new Intl.DateTimeFormat("en-US", {
  month: "short", day: "numeric", year: "numeric", timeZone: "UTC",
});
const monthFormat = new Intl.DateTimeFormat("en-US", {
  month: "long", year: "numeric", timeZone: "UTC",
});

// "2024-08-20" -> "Aug 20, 2024"; "2024-08" -> "August 2024".
export function formatDay(day: string): string {
  if (/^\d{4}-\d{2}$/.test(day)) return monthFormat.format(new Date(`${day}-01T00:00:00Z`));
  const date = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : dayFormat.format(date);
}

// Days as "YYYY-MM-DD" in UTC.
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return isoDay(date);
}

// The last day of the month of `day`.
export function monthEnd(day: string): string {
  const date = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + 1);
  date.setUTCDate(0);
  return isoDay(date);
}
