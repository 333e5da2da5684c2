"""Grader for the log-triage task (python-grade protocol).

grade(transcript, workspace_path) returns a list of {id, score, weight, description, details}
records whose weights sum to 1. Only triage.md in the workspace is read.
"""
import os
import re

# ERROR and FATAL lines, " (repeated)" lines skipped (the runbook rules in the log-triage skill).
EXPECTED = {"payments": 3, "auth": 2, "db": 2, "search": 1}
ORDER = ["payments", "auth", "db", "search"]
ROW = re.compile(r"^\|\s*([A-Za-z0-9_.-]+)\s*\|\s*(\d+)\s*\|\s*$")


def _rows(text):
    rows = []
    for line in text.splitlines():
        m = ROW.match(line.strip())
        if m and m.group(1).lower() != "component":
            rows.append((m.group(1), int(m.group(2))))
    return rows


def grade(transcript, workspace_path):
    path = os.path.join(workspace_path, "triage.md")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        text = None

    def rec(id_, score, weight, description, details):
        return {"id": id_, "score": float(score), "weight": weight, "description": description, "details": details}

    if text is None:
        missing = "triage.md not found"
        return [
            rec("report-exists", 0, 0.1, "triage.md exists and holds a component table", missing),
            rec("heading", 0, 0.1, "First line is '# Triage: app.log'", missing),
            rec("counts", 0, 0.4, "Error count per component follows the runbook", missing),
            rec("order", 0, 0.2, "Rows ranked by errors, ties A-Z, all components listed", missing),
            rec("verdict", 0, 0.2, "Verdict line names the top component", missing),
        ]

    rows = _rows(text)
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    counts = dict(rows)
    right = [c for c, n in EXPECTED.items() if counts.get(c) == n]
    extra = [c for c in counts if c not in EXPECTED]
    count_score = len(right) / max(len(EXPECTED), len(EXPECTED) + len(extra))
    listed = [c for c, _ in rows]
    verdict_ok = any(l == "Verdict: %s needs attention first." % ORDER[0] for l in lines)

    return [
        rec("report-exists", 1 if rows else 0, 0.1, "triage.md exists and holds a component table",
            "%d table rows" % len(rows)),
        rec("heading", 1 if lines and lines[0] == "# Triage: app.log" else 0, 0.1,
            "First line is '# Triage: app.log'", "first line: %r" % (lines[0] if lines else "")),
        rec("counts", count_score, 0.4, "Error count per component follows the runbook",
            "right: %s; got %s; expected %s" % (", ".join(right) or "none", counts, EXPECTED)),
        rec("order", 1 if listed == ORDER else 0, 0.2, "Rows ranked by errors, ties A-Z, all components listed",
            "listed %s, expected %s" % (listed, ORDER)),
        rec("verdict", 1 if verdict_ok else 0, 0.2, "Verdict line names the top component",
            "found" if verdict_ok else "no line 'Verdict: %s needs attention first.'" % ORDER[0]),
    ]
