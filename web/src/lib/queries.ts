// The API reads the pages share, as TanStack Query options (one cache key per request).
import { ApiError, get, type AnomalyPage, type CostReport, type RecommendationPage,
         type StoredForecast } from "../api/client";

export const ALL_TIME = { from: "2000-01-01", to: "2099-12-31" };

export interface CostQuery {
  from: string;
  to: string;
  granularity: "day" | "month";
  group_by?: string;
  filter?: string[];
}

export const costsQuery = (query: CostQuery) => ({
  queryKey: ["costs", query],
  queryFn: () => get<CostReport>("/api/costs", { ...query }),
});

// The stored forecast, or null when none was made yet (404).
export const forecastQuery = (horizon: 30 | 60 | 90, groupBy?: string) => ({
  queryKey: ["forecast", horizon, groupBy ?? null],
  queryFn: async () => {
    try {
      return await get<StoredForecast>("/api/ml/forecast", { horizon, group_by: groupBy });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  },
});

export const anomaliesQuery = (query: Record<string, string | number | undefined>) => ({
  queryKey: ["anomalies", query],
  queryFn: () => get<AnomalyPage>("/api/ml/anomalies", query),
});

export const recommendationsQuery = (query: Record<string, string | number | undefined>) => ({
  queryKey: ["recommendations", query],
  queryFn: () => get<RecommendationPage>("/api/ml/recommendations", query),
});
