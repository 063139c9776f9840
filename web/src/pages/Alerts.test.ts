import { describe, expect, it } from "vitest";

import { parseRuleFilters } from "./Alerts";

describe("parseRuleFilters", () => {
  it("groups values by dimension and skips malformed parts", () => {
    expect(parseRuleFilters("service=Amazon EC2, tag:team=ml, service=Amazon S3, junk, =x"))
        .toEqual({ service: ["Amazon EC2", "Amazon S3"], "tag:team": ["ml"] });
  });
});
