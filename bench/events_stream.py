#!/usr/bin/env python3
"""GET /events measured on a real cbit-web: threads, RSS and CPU with 0 and N
idle streams, and the latency from a status change (its recorded time) to the
event on a stream while the N streams are open (p50/p99).

usage: bench/events_stream.py CBIT_WEB [--db postgres:CONNINFO] [--streams 200] [--changes 300]
(default: SQLite in a new temporary directory; nothing need listen for AMQP)
"""
import argparse, base64, json, os, shutil, socket, subprocess, tempfile, threading, time, urllib.request

def proc_status(pid):
    d = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        d[k] = v.strip()
    return int(d["Threads"]), int(d["VmRSS"].split()[0])

def cpu_seconds(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

def request(port, method, path, body=None, auth=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=body.encode() if body is not None else None)
    if body is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read().decode()

def open_stream(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
    buf = b""
    while b"event: ready" not in buf:
        buf += s.recv(65536)
    return s

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cbit_web")
    ap.add_argument("--db")
    ap.add_argument("--streams", type=int, default=200)
    ap.add_argument("--changes", type=int, default=300)
    ap.add_argument("--idle", type=float, default=20)
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="events-bench-")
    pw = "bench-password"
    h = subprocess.run([a.cbit_web, "hash-password"], input=pw, capture_output=True, text=True).stdout.strip()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    cfg = {"web": {"interface": "127.0.0.1", "port": port, "users": {"admin": h}},
           "db": {"backend": "sqlite", "path": d + "/cbit.db"},
           "controller": {"rabbit_url": "127.0.0.1:1"}}
    if a.db and a.db.startswith("postgres:"):
        cfg["db"] = {"backend": "postgres", "conninfo": a.db[9:]}
    json.dump(cfg, open(d + "/web.json", "w"))
    log = open(d + "/web.log", "w")
    p = subprocess.Popen([a.cbit_web, "-c", d + "/web.json"], stdout=log, stderr=log)
    try:
        for _ in range(200):
            try:
                request(port, "GET", "/arch"); break
            except Exception:
                time.sleep(0.05)
        auth = "admin:" + pw
        for path, body in [("/dist", "name=Debian"), ("/format", "name=deb"), ("/arch", "name=amd64"),
                           ("/suite", "name=bookworm"), ("/suitearch", "suite=bookworm&arch=amd64&master_weight=1")]:
            try:
                request(port, "PUT", path, body, auth)
            except Exception:
                pass  # exists already (a reused database)
        time.sleep(1)
        t0, r0 = proc_status(p.pid); c0 = cpu_seconds(p.pid); time.sleep(a.idle); c1 = cpu_seconds(p.pid)
        print(f"0 streams: threads {t0}, RSS {r0} kB, CPU {1000*(c1-c0)/a.idle:.2f} ms/s idle")
        streams = [open_stream(port) for _ in range(a.streams)]
        time.sleep(1)
        t1, r1 = proc_status(p.pid); c0 = cpu_seconds(p.pid); time.sleep(a.idle); c1 = cpu_seconds(p.pid)
        print(f"{a.streams} streams: threads {t1}, RSS {r1} kB, CPU {1000*(c1-c0)/a.idle:.2f} ms/s idle")
        # Latency on one more stream while the others stay open (and unread:
        # their kernel buffers absorb these few events).
        s = open_stream(port)
        lat = []
        stop = threading.Event()
        def reader():
            buf = b""
            while not stop.is_set():
                try:
                    chunk = s.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                now = time.time()
                buf += chunk
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    for line in block.split(b"\n"):
                        i = line.find(b"data: {")
                        if i >= 0 and b'"status": "Building"' in line:
                            us = json.loads(line[i + 6:])["time_us"]
                            lat.append(now * 1e6 - us)
        th = threading.Thread(target=reader); th.start()
        job = json.loads(request(port, "POST", "/job/vcshook",
            "package=lat&package_version=1.0&suite=bookworm&distribution=Debian&architecture_list=any"
            "&format=deb&method=git&uri=https://git.example/x.git&vcs_id=v1", auth))["jobs"][0]
        for i in range(a.changes):
            request(port, "PUT", f"/job/{job}", "status=Building&client=c1", auth)
            request(port, "PUT", f"/job/{job}", "status=Waiting&client=c1", auth)
            time.sleep(0.01)
        time.sleep(1)
        stop.set(); s.shutdown(socket.SHUT_RDWR); th.join()
        lat.sort()
        if lat:
            print(f"status change -> event ({len(lat)}): p50 {lat[len(lat)//2]/1000:.2f} ms, "
                  f"p99 {lat[int(len(lat)*0.99)]/1000:.2f} ms")
        for x in streams:
            x.close()
    finally:
        p.terminate(); p.wait()
        shutil.rmtree(d)

main()
