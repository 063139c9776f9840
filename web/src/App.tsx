// The routes: log-in and sign-up for visitors; every other page needs a session.
import type { ReactNode } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";

import { useSession } from "./auth/session";
import { Layout } from "./components/Layout";
import { ErrorNotice, Skeleton } from "./components/States";
import { AcceptInvitation } from "./pages/AcceptInvitation";
import { Alerts } from "./pages/Alerts";
import { Anomalies } from "./pages/Anomalies";
import { AnomalyDetail } from "./pages/AnomalyDetail";
import { AuthPage } from "./pages/AuthPage";
import { Costs } from "./pages/Costs";
import { Forecast } from "./pages/Forecast";
import { Models } from "./pages/Models";
import { Onboarding } from "./pages/Onboarding";
import { Overview } from "./pages/Overview";
import { RecommendationDetail } from "./pages/RecommendationDetail";
import { Recommendations } from "./pages/Recommendations";
import { Settings } from "./pages/Settings";
import { Upload } from "./pages/Upload";

function SignedIn({ children }: { children: ReactNode }) {
  const { principal, loading } = useSession();
  const location = useLocation();
  if (loading) return <div className="content"><Skeleton lines={4} /></div>;
  if (!principal) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}

function NotFound() {
  return <ErrorNotice error={new Error("There is no such page.")} />;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<AuthPage mode="login" />} />
      <Route path="/signup" element={<AuthPage mode="signup" />} />
      <Route path="/invite" element={<AcceptInvitation />} />
      <Route element={<SignedIn><Layout /></SignedIn>}>
        <Route index element={<Overview />} />
        <Route path="costs" element={<Costs />} />
        <Route path="upload" element={<Upload />} />
        <Route path="onboarding" element={<Onboarding />} />
        <Route path="anomalies" element={<Anomalies />} />
        <Route path="anomalies/:id" element={<AnomalyDetail />} />
        <Route path="forecast" element={<Forecast />} />
        <Route path="recommendations" element={<Recommendations />} />
        <Route path="recommendations/:id" element={<RecommendationDetail />} />
        <Route path="alerts" element={<Alerts />} />
        <Route path="models" element={<Models />} />
        <Route path="settings" element={<Settings />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
