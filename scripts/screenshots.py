#!/usr/bin/env python3
"""Screenshots of the dashboard for docs/server.md, as a head of compute sees it.

Starts `switchyard serve` on a fresh SQLite record with the example, waits for its plan, accepts
it, records a CoreWeave outage and waits for the re-plan, plans a what-if (a 40% supplier cap),
signs in through the dashboard's own form, and has headless Chromium photograph the Overview, the
plan, the re-plan, the compare page, the plans list, the what-if against the plan, the leases and
the incidents (with their forms, as a planner sees them) at 1440 and 390 px wide into docs/img/. Run by `make screenshots` (needs `chromium`).

Usage: scripts/screenshots.py SWITCHYARD_BINARY OUT_DIR
"""
import http.cookiejar
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"{}")


def wait_for(what, probe, seconds=300):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(1)
    sys.exit(f"screenshots: gave up waiting for {what}")


def sign_in(base, token):
    """The session cookie, signing in as a browser does: the form's page, then its POST."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    form = urllib.parse.urlencode({"token": token, "next": "/", "csrf": csrf}).encode()
    request = urllib.request.Request(base + "/login", data=form, method="POST")
    request.add_header("Origin", base)
    opener.open(request).read()
    session = next(c for c in jar if c.name == "switchyard_session")
    return f"{session.name}={session.value}"


def hand_off_server():
    """A page on another port that gives Chromium the session cookie (cookies belong to a host,
    not a port) and moves on to the dashboard."""

    class HandOff(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            page = (
                "<!doctype html><script>document.cookie = %s + '; path=/'; location.replace(%s);</script>"
                % (json.dumps(q["cookie"][0]), json.dumps(q["target"][0]))
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page.encode())

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), HandOff)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, out = sys.argv[1], sys.argv[2]
    chromium = next((p for p in ("chromium", "chromium-browser", "google-chrome") if shutil.which(p)), None)
    if not chromium:
        sys.exit("screenshots: needs Chromium (apt-get install chromium)")
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="sy-shots-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [binary, "serve", "--database", f"sqlite:{work}/sw.sqlite", "--port", str(port),
         "--import", "examples/frontier-lab.yaml"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "SWITCHYARD_THREADS": "1"})
    try:
        token = None
        for line in server.stdout:
            if "token: " in line:
                token = line.split("token: ")[1].strip()
            if line.startswith("Serving"):
                break
        if not token:
            sys.exit("screenshots: the server printed no admin token")
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        plans = wait_for("the first plan", lambda: call(base, "GET", "/v1/plans", token)["items"])
        plan = plans[0]["id"]
        call(base, "POST", f"/v1/plans/{plan}/accept", token, {})
        recorded = call(base, "POST", "/v1/incidents", token, {
            "plan": plan, "incident": {"provider": "coreweave", "kind": "outage", "from": "2027-03"}})
        incident = recorded["incident"]["id"]
        replan = wait_for("the re-plan", lambda: call(base, "GET", f"/v1/incidents/{incident}", token).get("replan"))
        job = call(base, "POST", "/v1/plans", token, {
            "timeLimitSeconds": 30, "whatIf": {"maxProviderShare": 0.4}})["id"]
        what_if = wait_for("the what-if", lambda: call(base, "GET", f"/v1/jobs/{job}", token).get("plan"))
        cookie = sign_in(base, token)
        hand_off = hand_off_server()
        pages = {"overview": "/", "plan": f"/plans/{plan}", "replan": f"/plans/{replan}",
                 "compare": f"/compare?a={plan}&b={replan}", "plans": "/plans",
                 "what-if": f"/compare?a={plan}&b={what_if}", "leases": "/leases", "incidents": "/incidents"}
        for name, path in pages.items():
            for width, height in ((1440, 2000), (390, 2400)):
                target = urllib.parse.urlencode({"cookie": cookie, "target": base + path})
                png = os.path.join(out, f"{name}-{width}.png")
                subprocess.run(
                    [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                     f"--user-data-dir={work}/chromium", f"--window-size={width},{height}",
                     "--virtual-time-budget=4000", f"--screenshot={png}",
                     f"http://127.0.0.1:{hand_off.server_address[1]}/hand-off?{target}"],
                    check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
                print(png)
        hand_off.shutdown()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
