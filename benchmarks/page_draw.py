"""The page's main-thread cost per drawn frame, in headless Chromium (Debian's, driven by
Playwright's Python package) against a real server on a free loopback port: the default
network and 16 hidden layers, each playing at the default speed.

Per network (the default one and 16 hidden layers of 32, always; 16 of 16 too without
--quick): paints per second; mean and p95 of the draw time per paint (every
requestAnimationFrame callback, timed by a wrapper installed before the page's scripts,
with each widget's canvases rasterized inside it, see paint.js `timing`); main-thread CPU
per paint (Chrome's Performance.getMetrics ThreadTime: decoding frames, style and layout
too) and task time per paint (TaskDuration, wall time); long tasks (> 50 ms); the load
average; the costliest widgets. Run: python -m benchmarks.page_draw [--quick]"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from .common import HOST, LoadMeter, ProcessMeter, Table, Target, percentile, print_report, running_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}

BIG = "16 hidden layers of 32"
NETWORKS = [
    ("default (circle, 2-4-2-1 tanh)", ""),
    (BIG, "hidden=" + ",".join(["32"] * 16)),
    ("16 hidden layers of 16", "hidden=" + ",".join(["16"] * 16)),
]

# Installed before the page's own scripts: every requestAnimationFrame callback timed,
# and long tasks collected.
PROBE = """
window.__bench = { raf: [], longtasks: [], messages: 0, keep: false, frames: [], ws: null };
// Messages received: a page paints at most once per frame the server sends. Frames kept
// while `keep` is set, for the replay.
const __WS = window.WebSocket;
window.WebSocket = class extends __WS {
  constructor(...args) {
    super(...args);
    window.__bench.ws = this;
    this.addEventListener('message', (e) => {
      const b = window.__bench;
      b.messages += 1;
      if (b.keep && typeof e.data !== 'string' && b.frames.length < 60) b.frames.push(e.data);
    });
  }
};
const __raf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (cb) => __raf((ts) => {
  const t0 = performance.now();
  try { cb(ts); } finally { window.__bench.raf.push(performance.now() - t0); }
});
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longtasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
} catch (e) { /* no long-task timing in this browser */ }
"""

SNAPSHOT = """() => ({
  paints: window.backpropLab.paints, mean: window.backpropLab.meanDrawMs,
  widgets: window.backpropLab.widgetTotals, step: window.backpropLab.lastFrameStep,
  raf: window.__bench.raf.length, longtasks: window.__bench.longtasks.length,
  messages: window.__bench.messages,
})"""


def chromium_missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install '.[test]')"
    return None


def top_functions(profile: dict, n: int = 12) -> list[tuple[float, str]]:
    """Self time (ms) by function from a CDP Profiler profile, largest first."""
    by_id = {node["id"]: node for node in profile["nodes"]}
    self_ms: dict[str, float] = {}
    for node_id, dt in zip(profile["samples"], profile["timeDeltas"]):
        f = by_id[node_id]["callFrame"]
        where = (
            f"{f['functionName'] or '(anonymous)'} {Path(f['url']).name}:{f['lineNumber'] + 1}"
            if f["url"]
            else f["functionName"] or "(anonymous)"
        )
        self_ms[where] = self_ms.get(where, 0.0) + dt / 1000
    return sorted(((ms, k) for k, ms in self_ms.items()), reverse=True)[:n]


# The page alone, as if the server sent 30 frames a second: the frames kept while playing
# are handed to the page's socket handler again, in a loop, after a pause (the server then
# sends none). Steps run backwards at each wrap, which only shortens the charts' history.
REPLAY = """(fps) => {
  const b = window.__bench;
  let i = 0;
  b.replay = setInterval(() => {
    b.messages += 1;
    b.ws.onmessage({ data: b.frames[i++ % b.frames.length] });
  }, 1000 / fps);
  return b.frames.length;
}"""
REPLAY_FPS = 30


def measure(
    browser, url: str, hash_: str, warmup: float, seconds: float, profile: bool = False, without: tuple[str, ...] = ()
) -> dict:
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(PROBE)
        page.goto(url + (f"#{hash_}" if hash_ else ""))
        page.wait_for_selector("body[data-connected=true]", timeout=20000)
        # Each widget's canvases rasterized inside its own update (paint.js `timing`), so the
        # draw times below count the pixels as well as the drawing calls.
        page.evaluate("import('/static/js/paint.js').then((m) => { m.timing.raster = true; })")
        # Widgets left undrawn (--without): what drawing them costs, against the page without them.
        page.evaluate(
            "(names) => import('/static/js/paint.js').then((m) => names.forEach((n) => m.timing.skip.add(n)))",
            list(without),
        )
        cdp = ctx.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.click("#btn-play")
        page.wait_for_function("() => window.backpropLab.lastFrameStep > 0", timeout=20000)
        time.sleep(warmup)
        if profile:
            cdp.send("Profiler.enable")
            cdp.send("Profiler.start")
        page.evaluate("window.__bench.keep = true")
        live = _window(page, cdp, seconds, profile)
        page.click("#btn-play")  # pause
        page.wait_for_function("() => window.backpropLab.stateStep !== null", timeout=20000)
        page.evaluate(REPLAY, REPLAY_FPS)
        time.sleep(warmup / 2)
        live["replayed"] = _window(page, cdp, seconds, False)
        page.evaluate("clearInterval(window.__bench.replay)")
        live["errors"] = errors
        return live
    finally:
        ctx.close()


def _window(page, cdp, seconds: float, profile: bool) -> dict:
    """The page's figures over `seconds` from now."""
    a, m0, t0 = page.evaluate(SNAPSHOT), _metrics(cdp), time.perf_counter()
    time.sleep(seconds)
    b, m1, wall = page.evaluate(SNAPSHOT), _metrics(cdp), time.perf_counter() - t0
    loadavg = os.getloadavg()[0]
    top = top_functions(cdp.send("Profiler.stop")["profile"]) if profile else []
    raf = page.evaluate(f"window.__bench.raf.slice({a['raf']}, {b['raf']})")
    longtasks = page.evaluate(f"window.__bench.longtasks.slice({a['longtasks']}, {b['longtasks']})")
    paints = b["paints"] - a["paints"]
    draw_total = b["mean"] * b["paints"] - a["mean"] * a["paints"]
    widgets = _window_means(a["widgets"], b["widgets"], paints)
    return {
        "paints_per_s": paints / wall,
        "messages_per_s": (b["messages"] - a["messages"]) / wall,
        "steps_per_s": (b["step"] - a["step"]) / wall,
        "mean_draw": draw_total / paints if paints else float("nan"),
        "raf_mean": sum(raf) / len(raf) if raf else float("nan"),
        "raf_p95": percentile(raf, 95),
        "cpu_per_paint": 1000 * (m1["ThreadTime"] - m0["ThreadTime"]) / paints if paints else float("nan"),
        "loadavg": loadavg,
        "task_per_paint": 1000 * (m1["TaskDuration"] - m0["TaskDuration"]) / paints if paints else float("nan"),
        "busy": (m1["TaskDuration"] - m0["TaskDuration"]) / wall,
        "longtasks": len(longtasks),
        "longtask_max": max(longtasks) if longtasks else 0.0,
        "widgets": ", ".join(
            f"{k} {v:.1f}" + (f" on {share:.0%} of paints" if share < 0.95 else "") for k, v, share in widgets[:3]
        ),
        "widget_means": widgets,
        "top": top,
        "wall": wall,
        "metrics": {
            k: m1[k] - m0[k]
            for k in ("ThreadTime", "TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
            if k in m1
        },
    }


def _window_means(before: dict, after: dict, page_paints: int) -> list[tuple[str, float, float]]:
    """Each widget's mean ms per draw between two snapshots of widgetTotals, and the share of the
    page's paints it drew on (the slow charts draw on every other paint while playing, paint.js
    CHART_EVERY), costliest first."""
    means = []
    for name, (total, paints) in after.items():
        t0, p0 = before.get(name, (0.0, 0))
        if paints > p0:
            means.append((name, (total - t0) / (paints - p0), (paints - p0) / max(1, page_paints)))
    return sorted(means, key=lambda kv: -kv[1])


def _metrics(cdp) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def profile(which: int = 0, seconds: float = 5.0, without: tuple[str, ...] = ()) -> None:
    """Where the main thread's time goes for NETWORKS[which]: Chrome's own split and
    the JavaScript functions with the most self time; `without`: widget-table rows
    (main.js) left undrawn."""
    from playwright.sync_api import sync_playwright

    name, hash_ = NETWORKS[which]
    with running_server() as (_, port), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            r = measure(browser, f"http://{HOST}:{port}/", hash_, 2.0, seconds, profile=True, without=without)
        finally:
            browser.close()
    paints = r["paints_per_s"] * r["wall"]
    print(f"{name}: {paints:.0f} paints in {r['wall']:.1f} s" + (f", without {', '.join(without)}" if without else ""))
    for k, v in r["metrics"].items():
        print(f"  {k:22} {1000 * v / paints:7.2f} ms per paint")
    print("  Widgets, mean ms per draw (canvases rasterized inside):")
    for k, v, share in r["widget_means"]:
        print(f"  {v:7.2f}  {k} (on {share:.0%} of paints)")
    print("  JavaScript self time, ms per paint:")
    for ms, where in r["top"]:
        print(f"  {ms / paints:7.2f}  {where}")


def run(quick: bool = False) -> tuple[list[Table], list[Target]]:
    missing = chromium_missing()
    title = "Page: main-thread time per drawn frame, headless Chromium, 1366×768, playing at the default speed"
    if missing:
        t = Table(title, ["network", "result"], [["all", f"not measured: {missing}"]])
        return [t], [Target("page: default network < 8 ms of main-thread work per frame", missing, None)]
    from playwright.sync_api import sync_playwright

    warmup, seconds = (1.5, 2.5) if quick else (2.0, 5.0)
    networks = NETWORKS[:2] if quick else NETWORKS
    load = LoadMeter()
    results = []
    with running_server() as (proc, port), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for name, hash_ in networks:
                results.append((name, measure(browser, f"http://{HOST}:{port}/", hash_, warmup, seconds)))
        finally:
            browser.close()
        server_cpu = ProcessMeter(proc.pid).cpu_seconds()
    t = Table(
        title,
        [
            "network",
            "paints/s",
            "messages/s",
            "draw ms mean",
            "draw ms p95",
            "main-thread CPU ms/paint",
            "paints/s the CPU allows",
            "main-thread tasks ms/paint",
            "long tasks (max ms)",
            "load avg",
            "costliest widgets, mean ms per draw",
        ],
    )
    rows = [(name, r) for name, r in results]
    rows += [(f"{name}, its frames replayed at {REPLAY_FPS}/s", r["replayed"]) for name, r in results]
    for name, r in rows:
        t.add(
            name,
            r["paints_per_s"],
            r["messages_per_s"],
            r["raf_mean"],
            r["raf_p95"],
            r["cpu_per_paint"],
            1000 / r["cpu_per_paint"],
            r["task_per_paint"],
            f"{r['longtasks']} ({r['longtask_max']:.0f})",
            f"{r['loadavg']:.1f}",
            r["widgets"],
        )
    t.notes += [
        f"{seconds:g} s per network after {warmup:g} s of play; frames arrive at up to 30/s, paints at most one "
        "per animation frame and one per frame received: messages/s (websocket messages the page received, nearly "
        "all frames) caps paints/s.",
        "draw ms: every requestAnimationFrame callback (the paint), each widget's canvases rasterized inside it "
        "(paint.js timing.raster), so it counts pixels as well as drawing calls; main-thread CPU: Chrome's "
        "ThreadTime per paint (frame decoding, style, layout too; not inflated by other processes' load); "
        "tasks: Chrome's TaskDuration per paint (wall time, inflated when the CPUs are shared); paints/s the CPU "
        "allows: 1000 / main-thread CPU ms per paint, what the page could paint were the server to send that many.",
        f"replayed: the page alone, as if the server sent {REPLAY_FPS} frames a second (a big network's frame "
        "takes the server longer than that to build): after a pause, the frames received while playing are handed "
        "to the page's socket again, in a loop.",
        f"Load while this ran (Chromium's processes not counted as ours): {load.report(server_cpu)}; "
        "load avg: the 1-minute load average after each network (2 cores).",
    ]
    for name, r in results:
        if r["errors"]:
            t.notes.append(f"page errors with {name}: {r['errors'][:3]}")
    default = results[0][1]
    big = dict(results).get(BIG)
    targets = [
        Target(
            "page: default network < 8 ms of main-thread work per paint (DESIGN.md)",
            f"main-thread CPU {default['cpu_per_paint']:.1f} ms per paint (draw {default['raf_mean']:.1f}, "
            f"p95 {default['raf_p95']:.1f})",
            default["cpu_per_paint"] < 8,
        )
    ]
    if big:
        for how, r in (("", big), (f", its frames replayed at {REPLAY_FPS}/s", big["replayed"])):
            targets.append(
                Target(
                    f"page: 16 hidden layers of 32 at >= 20 paints/s, < 40 ms per paint{how} (issue 11)",
                    f"{r['paints_per_s']:.1f} paints/s ({r['messages_per_s']:.1f} frames/s), draw "
                    f"{r['raf_mean']:.1f} ms (p95 {r['raf_p95']:.1f}), main-thread CPU {r['cpu_per_paint']:.1f} ms "
                    "per paint",
                    r["paints_per_s"] >= 20 and r["raf_p95"] < 40 and r["cpu_per_paint"] < 40,
                )
            )
    return [t], targets


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.page_draw", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter windows; no 16x16 network")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="I",
        nargs="?",
        const=0,
        help="profile network I (0 default, 1 16x32, 2 16x16) instead",
    )
    parser.add_argument(
        "--without",
        default="",
        metavar="NAMES",
        help="with --profile: widget-table rows (main.js) left undrawn, comma-separated, e.g. network,loss",
    )
    args = parser.parse_args(argv)
    if args.profile is not None:
        profile(args.profile, without=tuple(n for n in args.without.split(",") if n))
        return
    print_report(*run(args.quick))


if __name__ == "__main__":
    main()
