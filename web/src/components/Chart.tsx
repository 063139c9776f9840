// An Apache ECharts chart that follows its container's size and the UI's theme. Only the
// chart types and components the pages use are registered, to keep the bundle small.
import { useEffect, useRef } from "react";
import { BarChart, LineChart } from "echarts/charts";
import {
  DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, TitleComponent,
  TooltipComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

import { useTheme } from "../lib/theme";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent,
             MarkAreaComponent, DataZoomComponent, TitleComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export function Chart({ option, height = 320, label }:
                      { option: ChartOption; height?: number; label: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const { theme } = useTheme();

  useEffect(() => {
    if (!element.current) return undefined;
    const instance = echarts.init(element.current, theme === "dark" ? "dark" : undefined);
    chart.current = instance;
    const observer = typeof ResizeObserver === "undefined"
      ? null : new ResizeObserver(() => instance.resize());
    observer?.observe(element.current);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [theme]);

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: "transparent", ...option }, true);
  }, [option, theme]);

  return <div ref={element} className="chart" style={{ height }} role="img" aria-label={label} />;
}
