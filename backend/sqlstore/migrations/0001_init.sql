-- The first schema. Written once for both databases: {{.JSON}}, {{.Time}}
-- and {{.Identity}} are filled in per dialect by migrate.go.

-- rules holds the current content of each rule. The columns beside content
-- are copies of its fields that ListRules filters on, rewritten by every
-- write in the same statement as content, so they cannot drift apart.
CREATE TABLE rules (
    id        TEXT PRIMARY KEY,
    content   {{.JSON}} NOT NULL,
    status    TEXT NOT NULL,
    narrative TEXT NOT NULL,
    -- A JSON array such as ["en","ru"]: a language filter is then the same
    -- LIKE '%"en"%' on both databases.
    languages TEXT NOT NULL,
    -- id, title, summary and phrases, lower-cased in Go: SQLite's lower()
    -- folds ASCII only, and most rules are Cyrillic.
    search    TEXT NOT NULL,
    revision  INTEGER NOT NULL,
    updated   {{.Time}} NOT NULL,
    author    TEXT NOT NULL
);
CREATE INDEX rules_status ON rules (status);
CREATE INDEX rules_narrative ON rules (narrative);

-- rule_revisions keeps every version of every rule; revision 1 is the
-- creation and numbers have no gaps.
CREATE TABLE rule_revisions (
    rule_id  TEXT NOT NULL REFERENCES rules (id),
    revision INTEGER NOT NULL,
    author   TEXT NOT NULL,
    time     {{.Time}} NOT NULL,
    message  TEXT NOT NULL,
    content  {{.JSON}} NOT NULL,
    PRIMARY KEY (rule_id, revision)
);

-- audit_log is append-only; id order is time order (newest first = id DESC).
CREATE TABLE audit_log (
    id     {{.Identity}},
    time   {{.Time}} NOT NULL,
    actor  TEXT NOT NULL,
    role   TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    remote TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target);
CREATE INDEX audit_log_actor ON audit_log (actor);

-- publications records each published live rule set; the latest is the
-- highest id.
CREATE TABLE publications (
    id         {{.Identity}},
    version    TEXT NOT NULL,
    rule_count INTEGER NOT NULL,
    published  {{.Time}} NOT NULL,
    publisher  TEXT NOT NULL
);
