#!/usr/bin/env python3
"""Drives the dashboard in headless Chromium (WebDriver, python3-selenium).

Run by the BrowserDashboard integration test (tests/browser_test.cc), which
starts the farm (controller, RabbitMQ, a host-building client, the watcher)
and writes the plan this script reads: the controller's URL, the admin's
credentials, the git pushes that submit the package and the file that
holds its build. Screenshots of every page go to --out. Exits non-zero,
naming the failed step, on the first check that fails.
"""
import argparse
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.chrome.service import Service

STEP = ['start']


class Failed(Exception):
    pass


def step(name):
    STEP[0] = name
    print(f'step: {name}', flush=True)


def wait(pred, what, timeout=60.0, every=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            v = pred()
            if v:
                return v
        except Exception:  # the element is not there yet
            pass
        time.sleep(every)
    raise Failed(f'{STEP[0]}: timed out waiting for {what}')


def api(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as r:
        return json.loads(r.read())


def driver_for(out):
    opts = webdriver.ChromeOptions()
    for a in ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
              '--window-size=1400,1000', f'--user-data-dir={out}/chromium-profile']:
        opts.add_argument(a)
    opts.binary_location = '/usr/bin/chromium'
    return webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=opts)


def shot(d, out, name):
    time.sleep(0.2)
    d.save_screenshot(os.path.join(out, f'{name}.png'))


def text(d, css):
    return d.find_element(By.CSS_SELECTOR, css).text


def evil_server(target):
    """Another origin (another port) serving a page that posts to the controller."""
    page = f'''<!doctype html><body>
<form id="f" method="POST" action="{target}/arch"><input name="name" value="forgedarch"></form>
<script>
fetch("{target}/arch", {{method: "POST", credentials: "include",
  headers: {{"Content-Type": "application/x-www-form-urlencoded"}}, body: "name=forgedarch2"}})
  .finally(() => document.getElementById("f").submit());
</script></body>'''.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def push(plan, ref):
    cmd = plan['push'] + [f'{ref}:refs/heads/main']
    r = subprocess.run(cmd, env={**os.environ, **plan['env']}, capture_output=True, text=True,
                       timeout=120)
    if r.returncode != 0:
        raise Failed(f'{STEP[0]}: git push failed: {r.stdout}{r.stderr}')


def record_statuses(d):
    # Every status the badge shows, recorded in the page without reloading.
    d.execute_script('''
      window.__seen = [document.querySelector('#job-status [data-status]').dataset.status];
      window.__noReload = true;
      new MutationObserver(() => {
        const s = document.querySelector('#job-status [data-status]').dataset.status;
        if (window.__seen[window.__seen.length - 1] !== s) window.__seen.push(s);
      }).observe(document.getElementById('job-status'), {childList: true, subtree: true});''')


def seen(d):
    return d.execute_script('return window.__noReload ? window.__seen : null')


def newest_job(url, package, above):
    jobs = api(url, f'/job?package={package}&limit=1&view=rows')
    return jobs[0]['id'] if jobs and jobs[0]['id'] > above else None


def log_bytes(d):
    t = text(d, '#log-info')
    return int(t.split(',')[1].split()[0]) if ',' in t else -1


def sign_in(d, url, user, password):
    d.get(url + '/#/signin')
    wait(lambda: d.find_element(By.ID, 'signin-user'), 'the sign-in form')
    for field, value in (('signin-user', user), ('signin-password', password)):
        d.find_element(By.ID, field).clear()
        d.find_element(By.ID, field).send_keys(value)
    d.find_element(By.CSS_SELECTOR, '#signin-form button').click()


def change_row(d, table, row_id, values):
    """Opens a row's change form, fills it in and saves it."""
    li = d.find_element(By.CSS_SELECTOR, f'#list-{table} li[data-id="{row_id}"]')
    li.find_element(By.CSS_SELECTOR, 'button.change').click()
    form = wait(lambda: d.find_element(By.ID, f'change-{table}-{row_id}'), 'the change form')
    for name, value in values.items():
        form.find_element(By.NAME, name).clear()
        form.find_element(By.NAME, name).send_keys(value)
    form.find_element(By.CSS_SELECTOR, 'button[type=submit]').click()


def change_rows(d, url):
    step('admin: change a blacklist rule, then a change the controller refuses')
    rule = api(url, '/blacklist')[-1]['id']
    change_row(d, 'blacklist', rule, {'regex': '^never-built$'})
    wait(lambda: 'name ~ ^never-built$' in text(d, '#list-blacklist'), 'the changed rule')
    if api(url, f'/blacklist/{rule}')['regex'] != '^never-built$':
        raise Failed(f'{STEP[0]}: the controller has {api(url, f"/blacklist/{rule}")}')
    change_row(d, 'blacklist', rule, {'regex': '(unclosed'})
    wait(lambda: '400' in text(d, '#result-blacklist .msg.error'), "the controller's 400")
    if api(url, f'/blacklist/{rule}')['regex'] != '^never-built$':
        raise Failed(f'{STEP[0]}: the refused change was kept')

    step("admin: change a suite arch's weight, then a weight that is no number")
    sa = api(url, '/suitearch')[0]
    change_row(d, 'suitearch', sa['id'], {'master_weight': str(sa['master_weight'] + 5)})
    want = f"(weight {sa['master_weight'] + 5})"
    wait(lambda: want in text(d, f'#list-suitearch li[data-id="{sa["id"]}"]'), 'the new weight')
    change_row(d, 'suitearch', sa['id'], {'master_weight': 'heavy'})
    wait(lambda: "400: master_weight 'heavy'" in text(d, '#result-suitearch .msg.error'),
         "the controller's 400")


def sort_jobs(d, url, pkg, out):
    step('jobs: a column header sorts on the server, and the URL keeps the order')
    d.get(url + f'/#/jobs?package={pkg}')
    rows = '#jobs tbody tr[data-job]'
    wait(lambda: len(d.find_elements(By.CSS_SELECTOR, rows)) >= 3, 'the jobs')

    def shown():
        return [int(r.get_attribute('data-job')) for r in d.find_elements(By.CSS_SELECTOR, rows)]

    for order in ('asc', 'desc'):
        d.find_element(By.CSS_SELECTOR, '#jobs th[data-sort="status"] a').click()
        wait(lambda: f'sort=status&order={order}' in d.execute_script('return location.hash'),
             f'the URL sorted by status, {order}')
        page = api(url, f'/job?package={pkg}&limit=50&view=rows&sort=status&order={order}')
        want = [j['id'] for j in page]
        wait(lambda: shown() == want, f"the rows in the order of {[j['status'] for j in page]}")
    shot(d, out, 'jobs-sorted')
    # The URL alone gives the page: the rows after the first one, ascending by id.
    first = min(shown())
    d.get(url + f'/#/jobs?package={pkg}&sort=id&order=asc&after={first}')
    wait(lambda: shown() and shown() == sorted(shown()) and first not in shown() and len(shown()) >= 2,
         'the page after the first job, ascending')


def client_queues(d, url):
    step("clients: each client's queues, as its heartbeat told them")

    def told():
        return [c for c in api(url, '/buildd/heartbeats') if c['queues']]

    client = wait(told, 'a heartbeat with queues', timeout=90)[0]
    d.get(url + '/#/clients')
    cell = f'#client-rows tr[data-client="{client["name"]}"] td.queues'
    wait(lambda: all(q in text(d, cell) for q in client['queues']), 'the queues on the page')


def run(d, plan, out):
    url, pkg = plan['url'], plan['package']
    step('overview, anonymous')
    d.get(url + '/')
    wait(lambda: text(d, '#live') == 'live', 'the event stream')
    wait(lambda: d.find_element(By.ID, 'targets'), 'the overview')
    shot(d, out, 'overview-anonymous')

    step('sign in: a wrong password is refused')
    sign_in(d, url, plan['user'], 'wrong')
    wait(lambda: 'wrong user name or password' in text(d, '.msg.error'), 'the refusal')
    step('sign in')
    sign_in(d, url, plan['user'], plan['password'])
    wait(lambda: text(d, '#user').startswith(plan['user']), 'the signed-in user')
    shot(d, out, 'signin')

    step('admin: add an arch, then the same again')
    d.get(url + '/#/admin')
    form = wait(lambda: d.find_element(By.ID, 'add-arch'), 'the arch form')
    form.find_element(By.NAME, 'name').send_keys('browserarch')
    form.find_element(By.CSS_SELECTOR, 'button').click()
    wait(lambda: 'browserarch' in text(d, '#list-arch'), 'the new arch in the list')
    form.find_element(By.NAME, 'name').send_keys('browserarch')
    form.find_element(By.CSS_SELECTOR, 'button').click()
    wait(lambda: '409' in text(d, '#result-arch .msg.error'), "the controller's 409")
    shot(d, out, 'admin')

    step('text from the controller is shown as text, never run')
    form = d.find_element(By.ID, 'add-blacklist')
    form.find_element(By.NAME, 'field').send_keys('name')
    form.find_element(By.NAME, 'regex').send_keys('<img src=x onerror=window.__xss=1><script>window.__xss=2</script>')
    form.find_element(By.CSS_SELECTOR, 'button').click()
    wait(lambda: '<script>window.__xss=2</script>' in text(d, '#list-blacklist'), 'the rule as text')
    if d.execute_script('return window.__xss') is not None or \
            d.find_elements(By.CSS_SELECTOR, '#list-blacklist img, #list-blacklist script'):
        raise Failed(f'{STEP[0]}: the rule was rendered as markup')

    change_rows(d, url)
    shot(d, out, 'admin-changed')

    step('a forged cross-site post changes nothing')
    evil = evil_server(url)
    d.get(f'http://127.0.0.1:{evil.server_address[1]}/')
    wait(lambda: 'X-CSRF-Token' in d.page_source, "the controller's refusal of the forged form")
    arches = [a['name'] for a in api(url, '/arch')]
    if 'forgedarch' in arches or 'forgedarch2' in arches:
        raise Failed(f'{STEP[0]}: the forged post created an arch: {arches}')
    evil.shutdown()

    step('push: the job appears on the jobs page, live')
    open(plan['hold_file'], 'w').close()
    d.get(url + f'/#/jobs?package={pkg}')
    wait(lambda: d.find_element(By.ID, 'jobs'), 'the jobs page')
    # Every status the rows show, recorded as the page changes them.
    d.execute_script('''
      window.__rows = [];
      new MutationObserver(() => {
        for (const b of document.querySelectorAll('#jobs tbody [data-status]'))
          if (!window.__rows.includes(b.dataset.status)) window.__rows.push(b.dataset.status);
      }).observe(document.querySelector('#jobs tbody'), {childList: true, subtree: true});''')
    push(plan, 'v1')
    row = wait(lambda: d.find_element(By.CSS_SELECTOR, '#jobs tbody tr[data-job]'), 'the new row')
    job = int(row.get_attribute('data-job'))
    wait(lambda: 'Building' in d.execute_script('return window.__rows'), 'the row Building')
    first_status = d.execute_script('return window.__rows')[0]
    shot(d, out, 'jobs')

    step(f'job {job}: Building, the log growing, then Done and Uploaded without reloading')
    d.get(url + f'/#/job/{job}')
    wait(lambda: d.find_element(By.CSS_SELECTOR, '#job-status [data-status]'), 'the job page')
    record_statuses(d)
    wait(lambda: 'Building' in seen(d), 'Building')
    first = wait(lambda: log_bytes(d) > 0 and log_bytes(d), 'the log')
    shot(d, out, 'job-building')
    os.remove(plan['hold_file'])  # the build goes on: its output reaches the page
    wait(lambda: log_bytes(d) > first, 'the log to grow', timeout=120)
    wait(lambda: 'Uploaded' in seen(d) or 'Failed' in seen(d), 'the end of the job', timeout=240)
    statuses = seen(d)
    want = ['Building', 'Done', 'Uploaded']
    if [s for s in statuses if s in want] != want or first_status != 'Waiting':
        raise Failed(f'{STEP[0]}: statuses seen {first_status} then {statuses}')
    print(f'job {job}: {first_status} then {statuses}', flush=True)
    shot(d, out, 'job')

    step('cancel a running build with its button')
    open(plan['hold_file'], 'w').close()
    push(plan, 'v2')
    job2 = wait(lambda: newest_job(url, pkg, job), 'the second job')
    d.get(url + f'/#/job/{job2}')
    wait(lambda: d.find_element(By.CSS_SELECTOR, '#job-status [data-status]'), 'the job page')
    record_statuses(d)
    wait(lambda: 'Building' in seen(d), 'Building', timeout=120)
    d.find_element(By.ID, 'cancel').click()
    wait(lambda: 'Cancelled' in seen(d), 'Cancelled', timeout=120)
    shot(d, out, 'job-cancelled')

    step('retry it')
    os.remove(plan['hold_file'])
    d.find_element(By.ID, 'retry').click()
    wait(lambda: d.find_element(By.ID, 'retried'), 'the new job link').click()
    wait(lambda: d.execute_script('return location.hash') != f'#/job/{job2}', 'the new job page')
    wait(lambda: d.find_element(By.CSS_SELECTOR, '#job-status [data-status]'), 'the job page')
    record_statuses(d)
    wait(lambda: 'Uploaded' in seen(d) or 'Failed' in seen(d), 'the end of the retry', timeout=240)
    if 'Uploaded' not in seen(d):
        raise Failed(f'{STEP[0]}: the retried job ended {seen(d)}')

    step('the other pages')
    for name, path, ready in [('overview', '/#/', '#failures'), ('packages', '/#/packages', '#packages'),
                              ('package', f'/#/package/{pkg}', '#package-result'),
                              ('clients', '/#/clients', '#client-rows'), ('submit', '/#/submit', '#submit-form')]:
        d.get(url + path)
        wait(lambda: d.find_element(By.CSS_SELECTOR, ready), name)
        shot(d, out, name)

    sort_jobs(d, url, pkg, out)
    client_queues(d, url)
    shot(d, out, 'clients')

    step('sign out')
    d.find_element(By.ID, 'signout').click()
    wait(lambda: d.find_element(By.ID, 'signin'), 'the sign-in link')
    who = d.execute_async_script(
        "const done = arguments[0]; fetch('/session').then(r => r.json()).then(j => done(j.user));")
    if who is not None:
        raise Failed(f'{STEP[0]}: still signed in as {who}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--plan', required=True)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    os.makedirs(args.out, exist_ok=True)
    d = driver_for(args.out)
    try:
        run(d, plan, args.out)
    except Failed as e:
        shot(d, args.out, 'failure')
        print(f'FAILED {e}', flush=True)
        return 1
    except Exception as e:  # a WebDriver error: name the step
        shot(d, args.out, 'failure')
        print(f'FAILED {STEP[0]}: {type(e).__name__}: {e}', flush=True)
        return 1
    finally:
        d.quit()
    print('PASSED', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
