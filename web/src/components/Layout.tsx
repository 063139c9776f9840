// The frame of every signed-in page: navigation, the organisation, theme and log-out.
import { useState, type ReactNode } from "react";
import { NavLink, Outlet } from "react-router-dom";

import { useSession } from "../auth/session";
import { useTheme } from "../lib/theme";
import { SampleBanner } from "./SampleWorkspace";

const pages: { to: string; label: string }[] = [
  { to: "/", label: "Overview" },
  { to: "/costs", label: "Cost explorer" },
  { to: "/anomalies", label: "Anomalies" },
  { to: "/recommendations", label: "Recommendations" },
  { to: "/forecast", label: "Forecast" },
  { to: "/onboarding", label: "Connect AWS" },
  { to: "/upload", label: "Upload billing data" },
  { to: "/alerts", label: "Alerts" },
  { to: "/models", label: "Models" },
  { to: "/settings", label: "Settings" },
];

export function Layout({ children }: { children?: ReactNode }) {
  const { principal, logOut } = useSession();
  const { theme, toggle } = useTheme();
  const [open, setOpen] = useState(false);
  return (
    <div className="app">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <button type="button" className="menu-button" aria-expanded={open}
                aria-controls="navigation" onClick={() => setOpen(!open)}>
          Menu
        </button>
        <span className="brand">costwise</span>
        <span className="organisation" title="Organisation">{principal?.organisation.name}</span>
        <button type="button" className="ghost" onClick={toggle}
                aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}>
          {theme === "dark" ? "Light" : "Dark"}
        </button>
        <button type="button" className="ghost" onClick={() => void logOut()}>Log out</button>
      </header>
      <nav id="navigation" className={open ? "sidebar open" : "sidebar"} aria-label="Pages">
        {pages.map((page) => (
          <NavLink key={page.to} to={page.to} end={page.to === "/"}
                   onClick={() => setOpen(false)}>
            {page.label}
          </NavLink>
        ))}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <SampleBanner />
        {children ?? <Outlet />}
      </main>
    </div>
  );
}
