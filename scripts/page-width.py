#!/usr/bin/env python3
"""How wide pages lay out in headless Chromium at a given viewport width.

Usage: scripts/page-width.py CHROMIUM WIDTH COOKIE URL [URL...]

Starts CHROMIUM headless with the DevTools protocol on, sets COOKIE ("name=value", for the URLs'
origin), emulates a WIDTH-pixel-wide phone screen, loads each URL and prints one line per URL:
"URL SCROLLWIDTH FORMS", the document's laid-out width in CSS pixels (more than WIDTH: the page
scrolls sideways) and how many forms are wider than their own box (a field spilling out of its
panel, which would then scroll sideways inside the page). Standard library only: the WebSocket client is the few lines the protocol needs.
"""
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


class DevTools:
    """One page target over a WebSocket: send a command, read until its answer."""

    def __init__(self, ws_url):
        parsed = urllib.parse.urlparse(ws_url)
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {parsed.path} HTTP/1.1\r\nHost: {parsed.hostname}:{parsed.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(4096)
        if b" 101 " not in response.split(b"\r\n")[0]:
            raise RuntimeError(f"no WebSocket: {response[:200]!r}")
        self.buffer = response.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0
        self.events = []

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _frame(self):
        message = b""
        while True:
            head = self._read(2)
            final, opcode, length = head[0] & 0x80, head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            message += self._read(length)
            if opcode == 8:
                raise RuntimeError("DevTools closed the connection")
            if final:
                return json.loads(message.decode())

    def send(self, method, **params):
        self.next_id += 1
        payload = json.dumps({"id": self.next_id, "method": method, "params": params}).encode()
        mask = os.urandom(4)
        head = bytes([0x81])
        if len(payload) < 126:
            head += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)
        while True:
            message = self._frame()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    del self.events[: i + 1]
                    return event
            self.events.append(self._frame())
        raise RuntimeError(f"no {method} within {seconds} s")


def main():
    chromium, width, cookie, urls = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    profile = tempfile.mkdtemp(prefix="sy-width-")
    browser = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--hide-scrollbars", f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.time() + 30
        while port is None and time.time() < deadline:
            line = browser.stderr.readline()
            match = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if match:
                port = int(match.group(1))
        if port is None:
            raise RuntimeError("Chromium did not open its DevTools port")
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        tools.send("Page.enable")
        tools.send("Network.enable")
        name, value = cookie.split("=", 1)
        origin = "{0.scheme}://{0.netloc}/".format(urllib.parse.urlparse(urls[0]))
        tools.send("Network.setCookie", name=name, value=value, url=origin)
        tools.send("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=True)
        for url in urls:
            tools.events.clear()
            tools.send("Page.navigate", url=url)
            tools.wait_for("Page.loadEventFired")
            measured = tools.send(
                "Runtime.evaluate", returnByValue=True,
                expression="[document.documentElement.scrollWidth, Array.from(document.querySelectorAll('form'))"
                ".filter(f => f.scrollWidth > f.clientWidth + 1).length]")
            laid_out, overflowing = measured["result"]["value"]
            print(url, laid_out, overflowing, flush=True)
    finally:
        browser.kill()
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
