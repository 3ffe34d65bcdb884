#!/usr/bin/python3
"""Fills a cbit database with jobs for the dashboard benchmark (not a test).

  populate.py --sqlite var/cbit.db [--jobs 100000]
  populate.py --postgres 'host=127.0.0.1 port=5432 dbname=cbit user=postgres'

The database must hold cbit's schema and nothing else (start cbit-web on it
once: it migrates). Rows are inserted with SQL, as a farm's history would
have left them: 1,000 packages of 10 versions each, built for two arches
and two suites; each job has its current status (every status, times over
the last 30 days; Building only among the newest 100 jobs, as leases
allow), a build client unless it is Waiting, one history row and its build
request. The numbers are fixed by a seed, so two backends get the
same rows.
"""
import argparse
import random
import sqlite3
import subprocess

STATUSES = ['Waiting', 'Blocked', 'Cancelled', 'Building', 'Failed', 'Uploaded', 'Done']
ARCHES = ['amd64', 'arm64']
SUITES = ['bookworm', 'trixie']
CLIENTS = [f'build_client_{i}' for i in range(8)]
NOW_US = 1_765_000_000_000_000
MONTH_US = 30 * 86400 * 1_000_000
BUILDING_WINDOW = 100


def lookups():
    rows = [('arch', n) for n in ARCHES] + [('suite', n) for n in SUITES]
    rows += [('distribution', 'Debian'), ('format', 'deb')]
    rows += [('buildclients', n) for n in CLIENTS]
    return rows


def rows(jobs):
    """Yields (table, columns, values) in an order the foreign keys accept."""
    rnd = random.Random(14)
    for i, (table, name) in enumerate(lookups()):
        yield table, ('id', 'name'), (1000 + i, name)
    arch_id = {n: 1000 + i for i, n in enumerate(ARCHES)}
    suite_id = {n: 1000 + len(ARCHES) + i for i, n in enumerate(SUITES)}
    dist_id, format_id = 1000 + len(ARCHES) + len(SUITES), 1001 + len(ARCHES) + len(SUITES)
    client_id = [format_id + 1 + i for i in range(len(CLIENTS))]
    instances = []
    for p in range(10_000):
        pid = p + 1
        yield 'package', ('id', 'name', 'version'), (pid, f'pkg{p // 10:04d}', f'1.{p % 10}')
        arch, suite = ARCHES[p % 2], SUITES[(p // 2) % 2]
        for a in (arch, ARCHES[1 - ARCHES.index(arch)]):
            iid = len(instances) + 1
            instances.append(iid)
            yield ('packageinstance', ('id', 'package_id', 'arch_id', 'suite_id', 'dist_id',
                                       'format_id', 'master'),
                   (iid, pid, arch_id[a], suite_id[suite], dist_id, format_id, a == 'amd64'))
    for j in range(1, jobs + 1):
        status = rnd.randrange(len(STATUSES))
        # A job stays Building only while its client holds the lease: only
        # the newest jobs can still be Building (about two per client).
        if STATUSES[status] == 'Building' and j <= jobs - BUILDING_WINDOW:
            status = STATUSES.index('Uploaded')
        when = NOW_US - MONTH_US + j * (MONTH_US // jobs) + rnd.randrange(1_000_000)
        client = None if STATUSES[status] == 'Waiting' else rnd.choice(client_id)
        yield ('job', ('id', 'packageinstance_id', 'buildclient_id', 'status_id', 'status_time'),
               (j, instances[(j - 1) % len(instances)], client, status + 1, when))
        yield 'jobstatus', ('id', 'job_id', 'status_id', 'time'), (j, j, status + 1, when)
        yield ('buildrequest', ('id', 'job_id', 'method', 'uri', 'vcs_id'),
               (j, j, 'git', f'https://git.example/pkg{j % 1000}.git', f'{j:040x}'))


def literal(v):
    if v is None:
        return 'NULL'
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, int):
        return str(v)
    return "'" + v.replace("'", "''") + "'"


def fill_sqlite(path, jobs):
    db = sqlite3.connect(path)
    with db:
        for table, cols, vals in rows(jobs):
            db.execute(f'INSERT INTO {table} ({", ".join(cols)}) VALUES '
                       f'({", ".join("?" * len(cols))})', vals)
    db.execute('ANALYZE')
    db.close()


def fill_postgres(conninfo, jobs):
    sql = ['BEGIN;']
    for table, cols, vals in rows(jobs):
        sql.append(f'INSERT INTO {table} ({", ".join(cols)}) VALUES '
                   f'({", ".join(literal(v) for v in vals)});')
    # Identities go on after the ids given here.
    for table in ('arch', 'suite', 'distribution', 'format', 'buildclients', 'package',
                  'packageinstance', 'job', 'jobstatus', 'buildrequest'):
        sql.append(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                   f"(SELECT max(id) FROM {table}));")
    sql.append('COMMIT; ANALYZE;')
    subprocess.run(['psql', '-q', '-v', 'ON_ERROR_STOP=1', conninfo], input='\n'.join(sql),
                   text=True, check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument('--sqlite', help='the database file')
    where.add_argument('--postgres', help='a libpq conninfo')
    ap.add_argument('--jobs', type=int, default=100_000)
    a = ap.parse_args()
    if a.sqlite:
        fill_sqlite(a.sqlite, a.jobs)
    else:
        fill_postgres(a.postgres, a.jobs)


if __name__ == '__main__':
    main()
