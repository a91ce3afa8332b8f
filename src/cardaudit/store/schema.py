"""The store's SQL schema as an ordered list of migrations.

A new store runs them all; an older one runs those it lacks, each in its own transaction, and
records the version reached. Never edit a released migration: add the next one.
"""

from __future__ import annotations

APP_ID = "cardaudit"

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, (
        """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete')),
            tool_version TEXT NOT NULL,
            rules_digest TEXT NOT NULL,
            source TEXT NOT NULL,
            arguments TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            heartbeat REAL NOT NULL,
            models INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            not_done INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE models (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            model_id TEXT NOT NULL,
            source TEXT NOT NULL,
            location TEXT NOT NULL,
            revision TEXT,
            status TEXT NOT NULL,
            error_code TEXT,
            error_message TEXT,
            license TEXT,
            category TEXT,
            commercial_use INTEGER,
            disclosure TEXT,
            disclosure_source TEXT,
            gate TEXT,
            score_license INTEGER,
            score_data INTEGER,
            score_access INTEGER,
            score_documentation INTEGER,
            score_overall INTEGER,
            grade TEXT,
            sections TEXT,
            author TEXT,
            created_at TEXT,
            last_modified TEXT,
            downloads INTEGER,
            downloads_all_time INTEGER,
            likes INTEGER,
            parameters INTEGER,
            pipeline_tag TEXT,
            library_name TEXT,
            hub TEXT,
            PRIMARY KEY (run_id, model_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE findings (
            run_id INTEGER NOT NULL,
            model_id TEXT NOT NULL,
            rule TEXT NOT NULL,
            outcome TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL,
            line INTEGER,
            PRIMARY KEY (run_id, model_id, rule),
            FOREIGN KEY (run_id, model_id) REFERENCES models(run_id, model_id) ON DELETE CASCADE
        ) WITHOUT ROWID""",
    )),
    # Lineage (issue 6) arrived after the first stores were written.
    (2, (
        "ALTER TABLE models ADD COLUMN base_models TEXT",
        "ALTER TABLE models ADD COLUMN relation TEXT",
        "ALTER TABLE models ADD COLUMN root TEXT",
        "ALTER TABLE models ADD COLUMN root_family TEXT",
        "CREATE INDEX runs_by_status ON runs (status, id)",
    )),
    # Finding messages repeat: 560k findings of the 2022 Hub dump use 65 texts. Keeping each
    # text once halves the findings table.
    (3, (
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)",
        "INSERT OR IGNORE INTO messages (text) SELECT DISTINCT message FROM findings",
        """CREATE TABLE findings_v3 (
            run_id INTEGER NOT NULL,
            model_id TEXT NOT NULL,
            rule TEXT NOT NULL,
            outcome TEXT NOT NULL,
            severity TEXT NOT NULL,
            message_id INTEGER NOT NULL REFERENCES messages(id),
            line INTEGER,
            PRIMARY KEY (run_id, model_id, rule),
            FOREIGN KEY (run_id, model_id) REFERENCES models(run_id, model_id) ON DELETE CASCADE
        ) WITHOUT ROWID""",
        """INSERT INTO findings_v3 SELECT f.run_id, f.model_id, f.rule, f.outcome, f.severity,
            m.id, f.line FROM findings f JOIN messages m ON m.text = f.message""",
        "DROP TABLE findings",
        "ALTER TABLE findings_v3 RENAME TO findings",
    )),
    # A derivative's root base's own disclosure level (reference §4.2: report a quantization's
    # level and its root base's level separately), when the audit's lineage read the root.
    (4, (
        "ALTER TABLE models ADD COLUMN root_disclosure TEXT",
    )),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]
