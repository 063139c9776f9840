// Vitest: DOM matchers are plain expect() here; clean the rendered tree after each test.
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());
