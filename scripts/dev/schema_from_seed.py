#!/usr/bin/env python3
"""Writes src/schema/lamindb_tables.cc, the table description, from a LaminDB seed database.

A maintainer's tool, not part of the build: it was run once against the reference seed
(lamindb 2.x, migration 0189_v2_6) and its output is committed and then kept by hand. It turns the
DDL that Django rendered for SQLite back into Django's field kinds, so that the project can render
DDL for SQLite and PostgreSQL from one description.

usage: schema_from_seed.py SEED.db > src/schema/lamindb_tables.cc
"""
import hashlib
import re
import sqlite3
import sys


def split_top_level(body):
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


def digest(*names):
    h = hashlib.md5()
    for n in names:
        h.update(n.encode())
    return h.hexdigest()[:8]


def main(path):
    db = sqlite3.connect(path)
    tables = [r for r in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
    # A primary key's width is only visible in the columns that reference it.
    pk_width = {}
    for name, sql in tables:
        for m in re.finditer(r'"\w+" (integer|bigint|smallint) [^,]*REFERENCES "(\w+)" \("id"\)', sql):
            pk_width[m.group(2)] = m.group(1)
    out = []
    for name, sql in tables:
        if name == "django_migrations":
            continue
        indexed, unique_together, named = set(), [], []
        for iname, isql in db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL "
                "ORDER BY rowid", (name,)):
            cols = [r[2] for r in db.execute(f'PRAGMA index_info("{iname}")')]
            if None not in cols and iname == f"{name}_{'_'.join(cols)}_{digest(name, *cols)}_uniq":
                unique_together.append(cols)
            elif None not in cols and len(cols) == 1 and iname == f"{name}_{cols[0]}_{digest(name, cols[0])}":
                indexed.add(cols[0])
            else:
                m = re.match(r'CREATE (UNIQUE )?INDEX "(\w+)" ON "\w+" \((.*?)\)( WHERE (.*))?$', isql)
                expr, where = m.group(3), m.group(5) or ""
                named.append((m.group(2), bool(m.group(1)), expr, where))
        cols_out, constraints = [], []
        body = sql[sql.index("(") + 1:-1]
        for part in split_top_level(body):
            m = re.match(r'CONSTRAINT "(\w+)" (CHECK|UNIQUE) \((.*)\)$', part)
            if m:
                constraints.append((m.group(1), m.group(2), m.group(3)))
                continue
            m = re.match(r'"(\w+)" (\w+(?:\(\d+\))?)(.*)$', part)
            col, typ, rest = m.groups()
            flags = []
            if "NOT NULL" not in rest:
                flags.append("kNull")
            if " UNIQUE" in rest:
                flags.append("kUnique")
            if col in indexed:
                flags.append("kIndex")
            dm = re.search(r"DEFAULT (\(STRFTIME[^)]*\)\)|'[^']*'|-?\d+)", rest)
            default = ""
            if dm:
                d = dm.group(1)
                default = "kNow" if d.startswith("(STRFTIME") else '"' + d.replace('"', '\\"') + '"'
            fl = " | ".join(flags) if flags else "kNone"
            ref = re.search(r'REFERENCES "(\w+)"', rest)
            if "PRIMARY KEY" in rest:
                kind = {"bigint": "BigAuto", "smallint": "SmallAuto"}.get(pk_width.get(name), "Auto")
                cols_out.append(f'{kind}("{col}")')
            elif ref:
                args = f'"{col}", "{ref.group(1)}", {fl}' + (f", {default}" if default else "")
                cols_out.append(f"Fk({args})")
            else:
                if typ.startswith("varchar"):
                    ctor, extra = "Varchar", ", " + typ[8:-1]
                elif typ == "text" and "JSON_VALID" in rest:
                    ctor, extra = "Json", ""
                else:
                    ctor = {"text": "Text", "bool": "Bool", "datetime": "DateTime", "date": "Date",
                            "integer": "Integer", "bigint": "BigInt", "smallint": "SmallInt",
                            "real": "Real"}[typ]
                    extra = ""
                args = f'"{col}"{extra}, {fl}' + (f", {default}" if default else "")
                cols_out.append(f"{ctor}({args})")
        out.append((name, cols_out, unique_together, named, constraints))

    migrations = list(db.execute("SELECT app, name FROM django_migrations ORDER BY id"))
    w = sys.stdout.write
    w("// The LaminDB 2.x tables (lamindb migration 0189_v2_6), described once; ddl.cc renders them.\n")
    w("// First written by scripts/dev/schema_from_seed.py from the reference seed, then kept by hand.\n")
    w('#include "schema/table_def.h"\n\nnamespace lamin::schema {\n\n')
    w("const std::vector<TableDef>& LamindbTables() {\n  static const std::vector<TableDef> kTables = {\n")
    for name, cols, ut, named, cons in out:
        w(f'      {{"{name}",\n       {{\n')
        for c in cols:
            w(f"           {c},\n")
        w("       },\n")
        w("       {" + ", ".join("{" + ", ".join(f'"{c}"' for c in u) + "}" for u in ut) + "},\n")
        w("       {" + ", ".join(
            "{" + f'"{n}", {"true" if u else "false"}, R"({e})", R"({wh})"' + "}" for n, u, e, wh in named) + "},\n")
        w("       {" + ", ".join(
            "{" + f'"{n}", ConstraintKind::k{k.title()}, R"({e})"' + "}" for n, k, e in cons) + "}},\n")
    w("  };\n  return kTables;\n}\n\n")
    w("const std::vector<Migration>& DjangoMigrations() {\n  static const std::vector<Migration> kRows = {\n")
    for app, mname in migrations:
        w(f'      {{"{app}", "{mname}"}},\n')
    w("  };\n  return kRows;\n}\n\n}  // namespace lamin::schema\n")


if __name__ == "__main__":
    main(sys.argv[1])
