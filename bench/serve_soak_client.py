#!/usr/bin/env python3
"""Drives `psim serve` for a soak: CONCURRENCY threads, each posting one SST-2 sentence per request in a loop over
keep-alive connections, for MINUTES; the server's resident memory (VmRSS of PID) sampled every 30 s.
Writes SAMPLES (JSON lines: minute, rss_mib (instant), peak_mib (the peak of the 30 s before), requests, errors, and the server's memory gauges: resident, native heap
in use and free, managed heap, heap trims) and prints a summary (JSON) on stdout.
    serve_soak_client.py URL PID SENTENCES.jsonl MINUTES CONCURRENCY SAMPLES"""
import http.client, json, sys, threading, time, urllib.parse

url, pid, data, minutes, concurrency, samples_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
texts = [json.loads(l)["sentence"] for l in open(data, encoding="utf-8") if l.strip()]
target = urllib.parse.urlparse(url)
deadline = time.monotonic() + minutes * 60
lock = threading.Lock()
counts = {"requests": 0, "errors": 0}
latencies = []
first_errors = []


def status_mib(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib():
    return status_mib("VmRSS")


def window_peak_mib():
    """The server's peak resident size since the last call (VmHWM, reset by writing 5 to its clear_refs): one sample
    of the instant RSS lands before, inside or after a batch at random, the window's peak always holds the largest batch."""
    peak = status_mib("VmHWM")
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return peak


def memory_mib():
    """The server's own memory gauges (psim_memory_bytes{part=...}, psim_native_heap_trims_total) from /metrics."""
    parts = {}
    try:
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        conn.request("GET", "/metrics")
        for line in conn.getresponse().read().decode().splitlines():
            if line.startswith("psim_memory_bytes{part="):
                name, value = line.split("\"")[1], float(line.rsplit(" ", 1)[1])
                parts[name + "_mib"] = round(value / 2**20, 1)
            elif line.startswith("psim_finalizer_gate{count="):
                parts["gate_" + line.split("\"")[1]] = int(float(line.rsplit(" ", 1)[1]))
            elif line.startswith("psim_native_heap_trims_total "):
                parts["trims"] = int(float(line.rsplit(" ", 1)[1]))
        conn.close()
    except Exception as e:  # the sample still has the kernel's RSS
        parts["metrics_error"] = repr(e)
    return parts


def worker(w):
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
    i = w
    while time.monotonic() < deadline:
        body = json.dumps({"texts": [texts[i % len(texts)]]})
        i += concurrency
        t0 = time.monotonic()
        try:
            conn.request("POST", "/v1/classify", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            payload = r.read()
            ok = r.status == 200
            status = r.status
        except Exception as e:  # a dropped connection is an error, and a new connection is made
            ok, status, payload = False, repr(e), b""
            conn.close()
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        with lock:
            counts["requests"] += 1
            if ok:
                latencies.append(time.monotonic() - t0)
            else:
                counts["errors"] += 1
                if len(first_errors) < 5:
                    first_errors.append(f"{status}: {payload[:200]!r}")


threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(concurrency)]
start = time.monotonic()
for t in threads:
    t.start()
samples = []
with open(samples_path, "w") as out:
    while True:
        with lock:
            s = {"minute": round((time.monotonic() - start) / 60, 2), "rss_mib": round(rss_mib(), 1), "peak_mib": round(window_peak_mib(), 1), **counts}
        s.update(memory_mib())
        samples.append(s)
        out.write(json.dumps(s) + "\n")
        out.flush()
        if time.monotonic() >= deadline:
            break
        time.sleep(min(30, max(0.1, deadline - time.monotonic())))
for t in threads:
    t.join()
lat = sorted(latencies)
warm = [s["rss_mib"] for s in samples if s["minute"] >= 2]  # after two minutes of load: the heap has reached its working size
peaks = [s["peak_mib"] for s in samples if s["minute"] >= 2.5]  # each the peak of the 30 s before it


def mean(xs):
    return sum(xs) / len(xs) if xs else None


first, last = [s for s in samples if 2 <= s["minute"] < 7], [s for s in samples if s["minute"] > minutes - 5]
summary = {
    "minutes": minutes, "concurrency": concurrency, "requests": counts["requests"], "errors": counts["errors"], "first_errors": first_errors,
    "texts_per_second": round(len(lat) / (time.monotonic() - start), 1),
    "p50_ms": round(1000 * lat[len(lat) // 2], 1) if lat else None, "p99_ms": round(1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))], 1) if lat else None,
    "rss_mib_at_2_min": warm[0] if warm else None, "rss_mib_end": samples[-1]["rss_mib"],
    "rss_mib_min_after_2_min": min(warm) if warm else None, "rss_mib_max_after_2_min": max(warm) if warm else None,
    "rss_growth_after_2_min": round(max(warm) / min(warm) - 1, 4) if warm else None,
    "window_peak_mib_min_after_2_min": min(peaks) if peaks else None, "window_peak_mib_max_after_2_min": max(peaks) if peaks else None,
    "window_peak_growth_after_2_min": round(max(peaks) / min(peaks) - 1, 4) if peaks else None,
    "window_peak_mib_minutes_2_to_7": round(mean([s["peak_mib"] for s in first]), 1) if first else None,
    "window_peak_mib_last_5_minutes": round(mean([s["peak_mib"] for s in last]), 1) if last else None,
}
early, late = summary["window_peak_mib_minutes_2_to_7"], summary["window_peak_mib_last_5_minutes"]
summary |= {
    # the verdicts: no error; no growth (the last five minutes' window peaks within 10% of minutes 2-7's); and the
    # stricter band (every window peak after minute 2 within 10% of the smallest)
    "window_peak_growth_last_5_vs_minutes_2_to_7": round(late / early - 1, 4) if early and late else None,
    "passes_no_errors": counts["errors"] == 0,
    "passes_no_growth_10pct": bool(early and late and late <= 1.1 * early),
    "passes_band_10pct": bool(peaks and max(peaks) <= 1.1 * min(peaks)),
}
print(json.dumps(summary, indent=2))
