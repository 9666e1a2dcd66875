#!/usr/bin/env python3
# Measures `iryo orca watch` catching up a generated gap under `ulimit -v` (RLIMIT_AS), against `iryo mock`.
# Usage: python3 crates/iryo-orca/benches/watch_gap_ulimit.py target/release/iryo MINUTES PER_MINUTE LIMIT_KIB
# Stores MINUTES x PER_MINUTE notifications (times spread over those minutes, POST /__mock/orca/events) behind a
# state file, starts the watcher under the limit and reads its VmHWM while it prints them. Ports 18731-18733.
import http.client, json, os, signal, sqlite3, subprocess, sys, time, uuid, datetime, threading
IRYO = sys.argv[1]; MINUTES = int(sys.argv[2]); PER_MINUTE = int(sys.argv[3]); VLIMIT_KIB = int(sys.argv[4])
PORT = 18731
d = "target/watch-gap-ulimit"; os.makedirs(d, exist_ok=True)
state = f"{d}/state.sqlite"
for f in (state, state + "-wal", state + "-shm"):
    if os.path.exists(f): os.remove(f)
mock = subprocess.Popen([IRYO, "mock", "--orca-system-clock", "--orca-port", str(PORT), "--hiyari-port", "18732", "--plat-port", "18733"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1.5)
env = dict(os.environ, ORCA_USER="ormaster", ORCA_PASSWORD="ormaster")
args = [IRYO, "orca", "watch", "--ws-url", f"ws://127.0.0.1:{PORT}/ws", "--base-url", f"http://127.0.0.1:{PORT}", "--state", state]
def watcher(limit=None):
    pre = (lambda: __import__("resource").setrlimit(__import__("resource").RLIMIT_AS, (limit * 1024, limit * 1024))) if limit else None
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=pre)
w = watcher(); 
for line in w.stderr:
    if line.startswith(b"connected:"): break
w.send_signal(signal.SIGTERM); w.wait()
jst = datetime.timezone(datetime.timedelta(hours=9))
start = datetime.datetime.now(jst) - datetime.timedelta(minutes=MINUTES, seconds=30)
db = sqlite3.connect(state); db.execute("UPDATE cursor SET covered_until = ?", (start.isoformat(timespec="seconds"),)); db.commit(); db.close()
total = MINUTES * PER_MINUTE
conn = http.client.HTTPConnection("127.0.0.1", PORT)
for n in range(total):
    at = start + datetime.timedelta(seconds=15 + n * 60.0 / PER_MINUTE)
    data = {"uuid": str(uuid.uuid4()), "id": n % 65535 + 1, "event": "patient_accept", "user": "ormaster",
            "body": {"Patient_ID": "%05d" % (n % 100000)}, "time": at.strftime("%Y-%m-%dT%H:%M:%S%z")}
    conn.request("POST", "/__mock/orca/events", json.dumps(data), {"Content-Type": "application/json"})
    r = conn.getresponse(); r.read()
    assert r.status == 201, r.status
t0 = time.time()
w = watcher(VLIMIT_KIB)
errs = []
threading.Thread(target=lambda: errs.extend(w.stderr), daemon=True).start()
lines = 0; hwm = 0
while lines < total:
    if not w.stdout.readline(): break
    lines += 1
    if lines % 5000 == 0 or lines == total:
        try:
            for l in open(f"/proc/{w.pid}/status"):
                if l.startswith("VmHWM"): hwm = int(l.split()[1])
        except FileNotFoundError: pass
w.send_signal(signal.SIGTERM); code = w.wait(); mock.terminate(); mock.wait()
print(f"{total} events over {MINUTES} min, ulimit -v {VLIMIT_KIB} KiB: {lines} lines in {time.time()-t0:.1f} s, exit {code}, peak RSS {hwm/1024:.1f} MiB")
print(b"".join(errs[-3:]).decode(errors="replace"))
