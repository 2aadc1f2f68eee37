#!/usr/bin/env python3
"""Benchmark helper for benches/proxy-vs-socat.sh: TCP clients -> relay under test -> counting TCP sink.

Modes:
  gen FILE MB                      write a JSON-lines file of about MB megabytes (~200-byte lines)
  throughput FILE CONNS -- CMD...  start CMD (placeholders {listen} and {sink}), send FILE split over
                                   CONNS connections, time until every line reached the sink
  latency RATE_MBPS CONNS SECS -- CMD...
                                   send at a fixed rate, report per-chunk latency p50/p99
Results are printed as one JSON object per run.
"""
import json, os, random, socket, subprocess, sys, threading, time

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def gen(path, mb):
    rng = random.Random(7)
    words = ["payment", "login", "order", "shipped", "refund", "session", "timeout", "retry", "cache", "user"]
    lines = []
    for i in range(20000):
        msg = " ".join(rng.choice(words) for _ in range(6))
        if i % 3 == 0:
            extra = '"email":"user%d@example.com"' % i
        else:
            extra = '"trace":"%032x"' % rng.getrandbits(128)
        line = '{"ts":"2026-01-01T00:00:%02d.%06dZ","level":"info","svc":"checkout","msg":"%s",%s,"n":%d}' % (
            i % 60, i, msg, extra, i)
        line = line + " " * max(0, 199 - len(line))
        lines.append(line[:199] if len(line) > 199 else line)
    block = ("\n".join(lines) + "\n").encode()
    target = mb * 1024 * 1024
    with open(path, "wb") as f:
        written = 0
        while written < target:
            f.write(block); written += len(block)

class Sink:
    """Accepts any number of connections and counts newlines."""
    def __init__(self, port, watch_latency=False):
        self.lines = 0; self.bytes = 0; self.lock = threading.Lock(); self.lat = []
        self.done = threading.Event(); self.expected = None; self.watch_latency = watch_latency
        self.srv = socket.socket(); self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", port)); self.srv.listen(512)
        threading.Thread(target=self.accept, daemon=True).start()
    def accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            threading.Thread(target=self.read, args=(c,), daemon=True).start()
    def read(self, c):
        buf = bytearray(1 << 20); view = memoryview(buf); tail = b""
        while True:
            n = c.recv_into(buf)
            if n == 0:
                return
            k = buf.count(b"\n", 0, n)
            if self.watch_latency:
                data = tail + bytes(view[:n]); now = time.perf_counter_ns(); pos = 0
                while True:
                    i = data.find(b'"lat":', pos)
                    if i < 0: break
                    j = data.find(b",", i)
                    if j < 0: break
                    value = data[i + 6:j]
                    if value.isdigit():
                        self.lat.append(now - int(value))
                    pos = j
                tail = data[max(pos, len(data) - 64):]
            with self.lock:
                self.lines += k; self.bytes += n
                if self.expected is not None and self.lines >= self.expected:
                    self.done.set()

def start_cmd(cmd, listen, sink):
    argv = [a.replace("{listen}", str(listen)).replace("{sink}", str(sink)) for a in cmd]
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", listen), timeout=0.2).close(); break
        except OSError:
            time.sleep(0.025)
    time.sleep(0.2)
    return p

def peak_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for l in f:
                if l.startswith("VmHWM:"):
                    return int(l.split()[1])
    except OSError:
        return None

def cpu_seconds(pid):
    """User + system CPU time of a process and its children so far (from /proc)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return sum(int(x) for x in fields[11:15]) / tick
    except OSError:
        return None

def ranges(path, conns):
    size = os.path.getsize(path); out = []; start = 0
    with open(path, "rb") as f:
        for i in range(1, conns + 1):
            end = size if i == conns else size * i // conns
            if end < size:
                f.seek(end); f.readline(); end = f.tell()
            out.append((start, end)); start = end
    return out

def throughput(path, conns, cmd):
    listen, sinkp = free_port(), free_port()
    sink = Sink(sinkp)
    proc = start_cmd(cmd, listen, sinkp)
    total_lines = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            total_lines += block.count(b"\n")
    sink.expected = total_lines
    socks = [socket.create_connection(("127.0.0.1", listen)) for _ in range(conns)]
    def send(s, r):
        with open(path, "rb") as f:
            s.sendfile(f, r[0], r[1] - r[0])
        s.shutdown(socket.SHUT_WR)
    threads = [threading.Thread(target=send, args=(s, r)) for s, r in zip(socks, ranges(path, conns))]
    t0 = time.perf_counter()
    for t in threads: t.start()
    ok = sink.done.wait(timeout=600)
    el = time.perf_counter() - t0
    rss = peak_rss_kib(proc.pid)
    cpu = cpu_seconds(proc.pid)
    for s in socks: s.close()
    proc.terminate()
    try: proc.wait(timeout=30)
    except subprocess.TimeoutExpired: proc.kill()
    size = os.path.getsize(path)
    print(json.dumps({"mode": "throughput", "conns": conns, "complete": ok, "seconds": round(el, 3),
                      "MB_per_s": round(size / el / 1e6, 1), "lines_per_s": int(total_lines / el),
                      "lines": total_lines, "peak_rss_MiB": None if rss is None else round(rss / 1024, 1),
                      "cpu_s_per_GB": None if cpu is None else round(cpu / (size / 1e9), 2)}))
    sys.stdout.flush()

def latency(rate_mbps, conns, secs, cmd):
    listen, sinkp = free_port(), free_port()
    sink = Sink(sinkp, watch_latency=True)
    proc = start_cmd(cmd, listen, sinkp)
    tick = 0.001
    per_tick = int(rate_mbps * 1e6 * tick / conns)
    filler = (('{"msg":"filler line for the latency run","pad":"%s"}\n' % ("x" * 140)).encode())
    body = filler * max(1, per_tick // len(filler))
    def send():
        s = socket.create_connection(("127.0.0.1", listen))
        end = time.perf_counter() + secs; nxt = time.perf_counter()
        while time.perf_counter() < end:
            head = ('{"lat":%d,"x":1}\n' % time.perf_counter_ns()).encode()
            s.sendall(head + body)
            nxt += tick
            d = nxt - time.perf_counter()
            if d > 0: time.sleep(d)
        s.close()
    threads = [threading.Thread(target=send) for _ in range(conns)]
    for t in threads: t.start()
    for t in threads: t.join()
    time.sleep(0.5)
    proc.terminate()
    try: proc.wait(timeout=30)
    except subprocess.TimeoutExpired: proc.kill()
    lat = sorted(sink.lat[len(sink.lat) // 10:])  # skip warm-up
    if not lat:
        print(json.dumps({"mode": "latency", "error": "no samples"})); return
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1e6
    print(json.dumps({"mode": "latency", "conns": conns, "rate_MB_per_s": rate_mbps, "samples": len(lat),
                      "p50_ms": round(p(0.5), 3), "p99_ms": round(p(0.99), 3),
                      "sink_MB_per_s": round(sink.bytes / secs / 1e6, 1)}))
    sys.stdout.flush()

if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "gen":
        gen(a[1], int(a[2]))
    elif a[0] == "throughput":
        i = a.index("--"); throughput(a[1], int(a[2]), a[i + 1:])
    elif a[0] == "latency":
        i = a.index("--"); latency(float(a[1]), int(a[2]), float(a[3]), a[i + 1:])
