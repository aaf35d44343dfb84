"""The few differences between SQLite's SQL and PostgreSQL's, named in one place.

Every query in storage/ is written once, in SQLite's dialect (`?` and `:name` parameters);
on PostgreSQL the connection layer (storage/pg.py) passes it through `translate` first, and
migration scripts through `translate_script`. What changes, and nothing else:

- parameters: `?` becomes `%s`, `:name` becomes `%(name)s`, a literal `%` becomes `%%`;
- `SELECT COUNT(*) > 0` (a flag stored in an integer column) is cast to an integer;
- SQLite's unary `+column` (which keeps the planner off that column's index) becomes
  `(column || '')`, an expression no index covers (storage/ puts the `+` on text columns
  only). Without it, PostgreSQL planning with statistics from before a sweep's inserts
  walked the `claim_token` index, where every entry carries the sweep's token, for each
  outcome UPDATE instead of finding the row by key (minutes at 100,000 models);
- a subquery in FROM without a name gets one (PostgreSQL 15 requires it);
- a bare column as a condition (`WHERE d.contested`: SQLite's flags are integers) becomes
  `(d.contested <> 0)`;
- an empty `IN ()` list (SQLite allows it) becomes an empty subquery;
- in `ON CONFLICT ... DO UPDATE`, a bare column read (the existing row) gets its table's name;
- `x IS ?` / `x IS NOT ?` become `IS NOT DISTINCT FROM` / `IS DISTINCT FROM`;
- `INSERT OR IGNORE INTO ...` becomes `INSERT INTO ... ON CONFLICT DO NOTHING`;
- `x COLLATE NOCASE` becomes `lower(x)` (and `x = ? COLLATE NOCASE` compares both lowered);
- `LIKE` becomes `ILIKE` (SQLite's LIKE ignores ASCII case), `IFNULL` becomes `COALESCE`,
  `GROUP_CONCAT` becomes `string_agg`;
- in DDL: `INTEGER PRIMARY KEY` becomes an identity column (SQLite's rowid alias), other
  integers `BIGINT`, `REAL` `DOUBLE PRECISION`, `BLOB` `BYTEA`, `TEXT` compares bytewise
  (`COLLATE "C"`, SQLite's BINARY); a table without an integer key gets a `rowid` identity
  column (SQLite's implicit one, which `ORDER BY rowid` reads); a trigger's body becomes a
  PL/pgSQL function (`RAISE(ABORT, ...)` an exception); `DROP TRIGGER` looks up its table;
  PRAGMAs are dropped;
- `PG_COMPAT`: SQLite's `strftime(format, 'now')`, its two-argument `max(a, b)` and
  `min(a, b)`, and `sum()` over a comparison (SQLite counts true as 1), defined as
  functions before the migrations run.

Statements that must differ beyond this are in storage/pg_statements.py.
"""

from __future__ import annotations

import functools
import re

# Functions SQLite has and PostgreSQL lacks, created (idempotently) before migrations run.
PG_COMPAT = """
CREATE OR REPLACE FUNCTION max(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE
    AS 'SELECT GREATEST(a, b)';
CREATE OR REPLACE FUNCTION min(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE
    AS 'SELECT LEAST(a, b)';
CREATE OR REPLACE FUNCTION max(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS 'SELECT GREATEST(a, b)';
CREATE OR REPLACE FUNCTION min(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS 'SELECT LEAST(a, b)';
CREATE OR REPLACE FUNCTION rw_count_true(n bigint, b boolean) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS 'SELECT COALESCE(n, 0) + CASE WHEN b THEN 1 ELSE 0 END';
CREATE OR REPLACE FUNCTION strftime(fmt text, t text) RETURNS text LANGUAGE sql STABLE AS $f$
    SELECT to_char((CASE WHEN t = 'now' THEN now() ELSE t::timestamptz END) AT TIME ZONE 'UTC',
        replace(replace(replace(replace(replace(replace(fmt, '%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD'),
        '%H', 'HH24'), '%M', 'MI'), '%S', 'SS'))
$f$;
DO $$ BEGIN
    CREATE AGGREGATE sum(boolean) (SFUNC = rw_count_true, STYPE = bigint);
EXCEPTION WHEN duplicate_function THEN NULL;
END $$;
"""

_STRING = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"])*\"|--[^\n]*|/\*.*?\*/", re.S)
_MASK = "\x00{}\x00"
_UNMASK = re.compile("\x00(\\d+)\x00")
_I = re.I


def _mask(sql: str) -> tuple[str, list[str]]:
    """`sql` with its string literals, quoted names and comments replaced by markers."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return _MASK.format(len(kept) - 1)

    return _STRING.sub(keep, sql), kept


def _unmask(sql: str, kept: list[str], escape_percent: bool) -> str:
    def restore(match: re.Match[str]) -> str:
        text = kept[int(match.group(1))]
        return text.replace("%", "%%") if escape_percent else text

    return _UNMASK.sub(restore, sql)


_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bIS\s+NOT\s+\?", _I), "IS DISTINCT FROM ?"),
    (re.compile(r"\bIS\s+\?", _I), "IS NOT DISTINCT FROM ?"),
    (re.compile(r"([\w.]+)\s*=\s*\?\s+COLLATE\s+NOCASE", _I), r"lower(\1) = lower(?)"),
    (re.compile(r"([\w.]+)\s+COLLATE\s+NOCASE", _I), r"lower(\1)"),
    (re.compile(r"\bNOT\s+LIKE\b", _I), "NOT ILIKE"),
    (re.compile(r"(?<!NOT )\bLIKE\b", _I), "ILIKE"),
    (re.compile(r"\bSELECT\s+COUNT\(\*\)\s*>\s*0\b", _I), "SELECT (COUNT(*) > 0)::int"),
    (
        re.compile(r"(\b(?:AND|OR|WHERE|ON|BY|SELECT|NOT)\s+|\(\s*)\+([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)", _I),
        r"\1(\2 || '')",
    ),
    (
        re.compile(
            r"\b(WHERE|AND|OR|NOT|WHEN|ON)\s+(?!(?:TRUE|FALSE|NULL|NOT|EXISTS)\b)([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)"
            r"(?=\s*(?:$|\)|;|\b(?:AND|OR|ORDER|GROUP|LIMIT|THEN|UNION|HAVING)\b))",
            _I,
        ),
        r"\1 (\2 <> 0)",
    ),
    (re.compile(r"\bIN\s*\(\s*\)", _I), "IN (SELECT NULL WHERE FALSE)"),
    (re.compile(r"\bIFNULL\s*\(", _I), "COALESCE("),
    (re.compile(r"\bGROUP_CONCAT\s*\(", _I), "string_agg("),
)
_INSERT_INTO = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", _I)
_DO_UPDATE = re.compile(r"\bDO\s+UPDATE\s+SET\b", _I)
_EXCLUDED = re.compile(r"\bexcluded\.(\w+)", _I)


def _qualify_upsert(text: str) -> str:
    """In `ON CONFLICT ... DO UPDATE SET`, a bare column read on the right of `=` means the
    existing row to SQLite but is ambiguous to PostgreSQL: name its table."""
    update = _DO_UPDATE.search(text)
    table = _INSERT_INTO.match(text)
    if not update or not table:
        return text
    columns = {name.lower() for name in _EXCLUDED.findall(text)}
    head, tail = text[: update.end()], text[update.end() :]

    tokens = list(re.finditer(r"\w+|\S", tail))
    out, last, depth = [], 0, 0
    for n, token in enumerate(tokens):
        word = token.group(0)
        depth += {"(": 1, ")": -1}.get(word, 0)
        before = tokens[n - 1].group(0) if n else ","
        after = tokens[n + 1].group(0) if n + 1 < len(tokens) else ""
        assigned = before == "," and depth == 0 and after == "="
        if word.lower() in columns and before != "." and not assigned:
            out.append(tail[last : token.start()] + f"{table.group(1)}.{word}")
            last = token.end()
    return head + "".join(out) + tail[last:]


_INSERT_OR_IGNORE = re.compile(r"\bINSERT\s+OR\s+IGNORE\s+INTO\b", _I)
_RETURNING = re.compile(r"\bRETURNING\b", _I)
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


_FROM_SUBQUERY = re.compile(r"\b(FROM|JOIN)\s*\(\s*(SELECT|WITH|VALUES)\b", _I)
_NOT_ALIAS = frozenset(
    "where order group limit offset union except intersect join left inner cross on having"
    " window natural full right".split()
) | {""}


def _alias_subqueries(text: str) -> str:
    """Name each subquery in FROM that has no name: PostgreSQL 15 requires one."""
    out, last, n = [], 0, 0
    for match in _FROM_SUBQUERY.finditer(text):
        start = text.index("(", match.start())
        if start < last:
            continue
        depth, end = 0, start
        for end in range(start, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        following = re.match(r"\s*(\w*)", text[end + 1 :])
        word = following.group(1).lower() if following else ""
        if word in _NOT_ALIAS:
            n += 1
            out.append(text[last : end + 1] + f" AS rw_subquery_{n}")
            last = end + 1
    return "".join(out) + text[last:]


@functools.lru_cache(maxsize=2048)
def translate(sql: str, with_params: bool = True) -> tuple[str, str | None]:
    """`sql` in PostgreSQL's dialect, and the table it inserts into (None if no INSERT)."""
    text, kept = _mask(sql)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    text = _qualify_upsert(text)
    text = _alias_subqueries(text)
    if _INSERT_OR_IGNORE.search(text):
        text = _INSERT_OR_IGNORE.sub("INSERT INTO", text)
        body = text.rstrip().rstrip(";")
        returning = _RETURNING.search(body)
        if returning:
            body = f"{body[: returning.start()]}ON CONFLICT DO NOTHING {body[returning.start() :]}"
        else:
            body += " ON CONFLICT DO NOTHING"
        text = body
    if with_params:
        text = text.replace("%", "%%").replace("?", "%s")
        text = _NAMED.sub(r"%(\1)s", text)
    inserted = _INSERT_INTO.match(text)
    return _unmask(text, kept, with_params), inserted.group(1).lower() if inserted else None


def split_script(script: str) -> list[str]:
    """The statements of a migration script (a trigger's BEGIN ... END is one statement)."""
    text, kept = _mask(script)
    statements: list[str] = []
    current: list[str] = []
    depth = 0
    for piece in re.split(r"(;|\bBEGIN\b|\bEND\b|\bCASE\b)", text, flags=_I):
        word = piece.upper()
        if word in ("BEGIN", "CASE") and _in_trigger(current):
            depth += 1
        elif word == "END" and depth:
            depth -= 1
        if piece == ";" and not depth:
            statement = "".join(current).strip()
            if statement:
                statements.append(_unmask(statement, kept, False))
            current = []
            continue
        current.append(piece)
    rest = "".join(current).strip()
    if rest and not _UNMASK.fullmatch(rest):
        statements.append(_unmask(rest, kept, False))
    return [s for s in statements if _has_code(s)]


def _in_trigger(current: list[str]) -> bool:
    return bool(re.match(r"\s*CREATE\s+(TEMP\w*\s+)?TRIGGER\b", "".join(current), _I))


def _has_code(statement: str) -> bool:
    text, _ = _mask(statement)
    return bool(_UNMASK.sub("", text).strip())


_TRIGGER = re.compile(
    r"^\s*CREATE\s+(?:TEMP\w*\s+)?TRIGGER\s+(IF\s+NOT\s+EXISTS\s+)?(\w+)\s+(BEFORE|AFTER)\s+(INSERT|UPDATE(?:\s+OF\s+[\w\s,]+?)?|DELETE)"
    r"\s+ON\s+(\w+)\s+(?:FOR\s+EACH\s+ROW\s+)?(?:WHEN\s+(.*?)\s+)?BEGIN\s+(.*)\s+END\s*$",
    _I | re.S,
)
_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\((.*)\)\s*(.*)$", _I | re.S)


def translate_ddl(statement: str) -> list[str]:
    """One migration statement as the PostgreSQL statements that do the same."""
    text, kept = _mask(statement)
    head = _UNMASK.sub("", text).lstrip().upper()  # after any leading comment
    if head.startswith("PRAGMA"):
        return []
    if re.match(r"CREATE\s+(TEMP\w*\s+)?TRIGGER\b", head):
        return _trigger(statement)  # a TEMP trigger lasts until dropped: PostgreSQL has none
    dropped = re.match(r"DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?(\w+)\s*;?\s*$", head)
    if dropped:  # SQLite names no table; PostgreSQL's DROP TRIGGER needs it: look it up
        name = dropped.group(1).lower()
        return [
            "DO $rw$ DECLARE t regclass; BEGIN"
            f" SELECT tgrelid::regclass INTO t FROM pg_trigger WHERE tgname = '{name}';"
            f" IF t IS NOT NULL THEN EXECUTE format('DROP TRIGGER %I ON %s', '{name}', t); END IF; END $rw$"
        ]
    text = re.sub(r"^\s*(\x00\d+\x00\s*)+", "", text)
    if head.startswith("CREATE TABLE") or head.startswith("ALTER TABLE"):
        text = _column_types(text)
        if head.startswith("CREATE TABLE") and _IDENTITY_KEY not in text:
            text = _with_rowid(text)
    sql, _ = translate(_unmask(text, kept, False), with_params=False)
    return [sql]


_IDENTITY_KEY = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
_TEXT_COLUMN = re.compile(r"((?:[(,]|\bCOLUMN)\s*(?:\x00\d+\x00\s*)*\w+\s+)TEXT\b", _I)


def _column_types(text: str) -> str:
    text = re.sub(r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?", _IDENTITY_KEY, text, flags=_I)
    text = re.sub(r"\bINTEGER\b", "BIGINT", text, flags=_I)
    text = re.sub(r"\bREAL\b", "DOUBLE PRECISION", text, flags=_I)
    text = re.sub(r"\bBLOB\b", "BYTEA", text, flags=_I)
    text = _TEXT_COLUMN.sub(r'\1TEXT COLLATE "C"', text)
    return re.sub(r"\)\s*(WITHOUT\s+ROWID|STRICT)(\s*,\s*(WITHOUT\s+ROWID|STRICT))*\s*$", ")", text, flags=_I)


def _with_rowid(text: str) -> str:
    table = _TABLE.match(text)
    if not table:
        return text
    name, columns, tail = table.groups()
    return f"CREATE TABLE {name} (rowid BIGINT GENERATED BY DEFAULT AS IDENTITY, {columns}) {tail}".rstrip()


def _trigger(statement: str) -> list[str]:
    text, kept = _mask(statement)
    match = _TRIGGER.match(re.sub(r"^\s*(\x00\d+\x00\s*)+", "", text))
    if not match:
        raise ValueError(f"a trigger storage/pg_dialect.py cannot translate: {statement[:200]}")
    _, name, when, event, table, condition, body = (
        _unmask(group, kept, False) if group else group for group in match.groups()
    )
    function = f"{name}_fn"
    code = "; ".join(_trigger_statement(s) for s in split_script(body))
    guard = f" WHEN ({condition})" if condition else ""
    # A BEFORE trigger's row goes on unchanged (SQLite's trigger cannot change it).
    done = "RETURN NULL;"
    if when.upper() == "BEFORE":
        done = "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql"
        f" AS $rw$ BEGIN {code}; {done} END $rw$",
        f"CREATE TRIGGER {name} {when} {event} ON {table} FOR EACH ROW{guard} EXECUTE FUNCTION {function}()",
    ]


_RAISE = re.compile(
    r"^\s*SELECT\s+RAISE\s*\(\s*(?:ABORT|FAIL|ROLLBACK)\s*,\s*('(?:[^']|'')*')\s*\)\s*$", _I | re.S
)


def _trigger_statement(statement: str) -> str:
    """One statement of a trigger's body in PL/pgSQL (SQLite's `SELECT RAISE(ABORT, 'why')`
    is PL/pgSQL's `RAISE EXCEPTION`)."""
    raised = _RAISE.match(statement)
    if raised:
        return f"RAISE EXCEPTION {raised.group(1)}"
    return translate(statement, with_params=False)[0]


DDL = re.compile(r"^\s*(CREATE|DROP|ALTER)\s+(TEMP\w*\s+)?(TRIGGER|TABLE)\b", _I)


def translate_script(script: str) -> list[str]:
    """A migration script as PostgreSQL statements, in order."""
    return [pg for statement in split_script(script) for pg in translate_ddl(statement)]
