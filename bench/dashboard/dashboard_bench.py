#!/usr/bin/python3
"""The dashboard's figures against a running cbit-web (not a timed test).

  dashboard_bench.py --url http://127.0.0.1:8080 --user admin --password PW --pid PID

1. Jobs page render: headless Chromium loads #/jobs N times; each time the
   Performance API mark 'jobs-rendered' (set once the rows are in the DOM)
   is read: milliseconds from navigation start. p50 and p90.
2. Status change → visible: a job page is open; the benchmark reports the
   job Building / Waiting in turn (as a builder would) and the page records,
   with a MutationObserver, when its status badge changed; the figure is the
   badge's change time minus the time the PUT was answered (the controller
   answers after its commit), on the same clock. p50 and p90.
   --hash '#/jobs?sort=package&order=asc' measures a sorted page instead.
4. Sorted pages (--sorts): GET /job?limit=51&view=rows&sort=C&order=O for
   every column and both orders, and the page after it (after=, key= of
   its last row), each --runs times from Python: p50 and max in ms.
5. Idle pages: the controller's CPU time (from /proc/PID/stat) and thread
   count over an idle minute-long window with 0 and then with 200 open
   GET /events streams (what an open page holds).
"""
import argparse
import base64
import json
import socket
import statistics
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def driver():
    o = webdriver.ChromeOptions()
    for a in ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']:
        o.add_argument(a)
    o.binary_location = '/usr/bin/chromium'
    return webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=o)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def request(url, method, path, body, auth):
    req = urllib.request.Request(url + path, data=body.encode() if body else None, method=method)
    req.add_header('Authorization', 'Basic ' + base64.b64encode(auth.encode()).decode())
    if body:
        req.add_header('Content-Type', 'application/x-www-form-urlencoded')
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()


def render_times(d, url, n, hash_route):
    out = []
    for _ in range(n):
        d.get('about:blank')
        d.get(url + '/' + hash_route)
        t = None
        for _ in range(400):
            t = d.execute_script(
                "const m = performance.getEntriesByName('jobs-rendered'); return m.length ? m[0].startTime : null")
            if t is not None:
                break
            time.sleep(0.025)
        out.append(t)
    return out


def change_latency(d, url, auth, job, n):
    d.get(url + f'/#/job/{job}')
    time.sleep(2)
    d.execute_script('''
      window.__changes = [];
      new MutationObserver(() => window.__changes.push(Date.now())).observe(
        document.getElementById('job-status'), {childList: true, subtree: true});''')
    history = json.loads(urllib.request.urlopen(url + f'/job/{job}/status').read())
    building = history[-1]['status'] == 'Building'
    out = []
    for i in range(n):
        status = 'Waiting' if (i % 2 == 0) == building else 'Building'
        request(url, 'PUT', f'/job/{job}', f'status={status}&client=bench_client', auth)
        answered = time.time() * 1000
        for _ in range(200):
            seen = d.execute_script('return window.__changes.length')
            if seen > i:
                break
            time.sleep(0.005)
        changed = d.execute_script('return window.__changes')[i]
        out.append(changed - answered)
        time.sleep(0.3)
    return out


SORT_COLUMNS = ['id', 'package', 'version', 'arch', 'suite', 'dist', 'format', 'buildenv',
                'status', 'client', 'time']


def timed_get(url):
    t0 = time.perf_counter()
    body = urllib.request.urlopen(url, timeout=60).read()
    return (time.perf_counter() - t0) * 1000, json.loads(body)


def sort_times(url, n):
    """p50 and max of a sorted first page and of the page after it, per column and order."""
    for column in SORT_COLUMNS:
        for order in ('asc', 'desc'):
            base = f'{url}/job?limit=51&view=rows&sort={column}&order={order}'
            first, after = [], []
            for _ in range(n):
                ms, page = timed_get(base)
                first.append(ms)
                last = page[49]
                key = last['time_us'] or 0 if column == 'time' else last[column] or ''
                cursor = f'&after={last["id"]}' + ('' if column == 'id' else
                                                   '&key=' + urllib.parse.quote(str(key)))
                after.append(timed_get(base + cursor)[0])
            print(f'sort={column} order={order}: first page p50 {pct(first, .5):.1f} ms '
                  f'(max {max(first):.1f}), next page p50 {pct(after, .5):.1f} ms '
                  f'(max {max(after):.1f})', flush=True)


def proc(pid):
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime, clock ticks
    with open(f'/proc/{pid}/status') as f:
        threads = next(int(l.split()[1]) for l in f if l.startswith('Threads:'))
    return cpu, threads


def idle(pid, seconds):
    c0, _ = proc(pid)
    time.sleep(seconds)
    c1, t = proc(pid)
    return c1 - c0, t


def open_streams(host, port, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection((host, port))
        s.sendall(f'GET /events HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n'.encode())
        socks.append(s)
    return socks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--url', required=True)
    ap.add_argument('--user', default='admin')
    ap.add_argument('--password', required=True)
    ap.add_argument('--pid', type=int, required=True)
    ap.add_argument('--runs', type=int, default=20)
    ap.add_argument('--idle-seconds', type=int, default=60)
    ap.add_argument('--skip-browser', action='store_true', help='only the idle streams')
    ap.add_argument('--hash', default='#/jobs', help='the jobs page to render')
    ap.add_argument('--sorts', action='store_true', help='only the sorted pages, from Python')
    ap.add_argument('--job', type=int, default=0,
                    help='a Waiting job to move (default: the newest Waiting one)')
    a = ap.parse_args()
    auth = f'{a.user}:{a.password}'
    if a.sorts:
        sort_times(a.url, a.runs)
        return
    d = None if a.skip_browser else driver()
    try:
        if d is None:
            raise StopIteration
        r = render_times(d, a.url, a.runs, a.hash)
        print(f'jobs page {a.hash} rendered: p50 {pct(r, .5):.0f} ms, p90 {pct(r, .9):.0f} ms ({len(r)} loads)')
        newest_waiting = a.url + '/job?limit=1&view=rows&status=Waiting'
        job = a.job or json.loads(urllib.request.urlopen(newest_waiting).read())[0]['id']
        c = change_latency(d, a.url, auth, job, a.runs)
        print(f'status change visible: p50 {pct(c, .5):.0f} ms, p90 {pct(c, .9):.0f} ms ({len(c)} changes)')
    except StopIteration:
        pass
    finally:
        if d is not None:
            d.quit()
    host, port = a.url.split('//')[1].split(':')
    cpu0, th0 = idle(a.pid, a.idle_seconds)
    socks = open_streams(host, int(port), 200)
    time.sleep(2)
    cpu1, th1 = idle(a.pid, a.idle_seconds)
    for s in socks:
        s.close()
    print(f'idle {a.idle_seconds} s, 0 streams: {cpu0:.2f} s CPU, {th0} threads; '
          f'200 streams: {cpu1:.2f} s CPU, {th1} threads')


if __name__ == '__main__':
    main()
