-- Readers' reports on annotations. No URL, address or account is kept:
-- only what an editor needs to judge the report.
CREATE TABLE feedback (
    id       {{.Identity}},
    rule_id  TEXT NOT NULL,
    ruleset  TEXT NOT NULL,
    reason   TEXT NOT NULL,
    quote    TEXT NOT NULL,
    time     {{.Time}} NOT NULL
);
CREATE INDEX feedback_rule ON feedback (rule_id);
