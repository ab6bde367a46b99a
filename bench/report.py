"""Writes bench/RESULTS.md from the measurements bench/run.py made (also: python bench/report.py)."""

import json
import sys
from pathlib import Path

YARDSTICK_1M = {"type": 145, "title": 86, "deep_cursor": 75}  # round 1's floor at 1M (req/s)
# The targets: (request, denominator server, request of the denominator, least ratio).
RATIO_TARGETS = [
    ("item", "floor", "item", 0.5),
    ("list", "floor", "list", 0.4),
    ("not_modified", "floor", "item", 0.6),
    # The same three against the floor under sync workers, which pays no greenlet per connection (bench/run.py).
    ("item", "floor_sync", "item", 0.5),
    ("list", "floor_sync", "list", 0.4),
    ("not_modified", "floor_sync", "item", 0.6),
    ("item", "textbook", "item", 2.5),
    ("list", "textbook", "list", 2.0),
]

READING_NOTES = [
    "- Compare ratios, not absolute rates: the floor, the textbook and the service run one after the other on",
    "  the same machine, so what other processes take from the 2 cores weighs on all three. The load averages",
    "  say how busy the machine was (it is shared by several engineers' test runs); with a load above 2 the",
    "  absolute figures are not worth quoting, and even the ratios move by ±20 % between repeats.",
    "- *keepalive*: requests follow one another on each of wrk's 16 connections (pooled HTTP clients);",
    "  *close*: `Connection: close`, a new TCP connection per request (what sync workers always did).",
    "- The floor (`bench/floor.py`: PyJWT, psycopg2, orjson, no framework) and the service run the same",
    "  gunicorn worker class; the textbook (`bench/textbook/`: ModelViewSet, ModelSerializer, FilterSet,",
    "  simplejwt, CONN_MAX_AGE=60, startproject middleware) runs gunicorn's default, sync workers.",
    "- The *sync floor* is the floor app under sync workers: no keep-alive, but no greenlet and no gevent",
    "  socket per connection either, so with connections closed it is the faster floor. Until 2026-12-02 the",
    "  bench's floor ran sync by mistake (its config's default) while this page said it ran the service's",
    "  class: the ratios of earlier runs are ratios to the sync floor.",
    "- *PostgreSQL alone* is pgbench running the very SQL the service sends for that request (16 clients).",
    "- The 304 is a conditional GET whose If-None-Match names the current version; it is compared with the",
    "  floor's item read (the floor has no conditional requests).",
    "- `deep_cursor` is compared with the floor's `page=500` (OFFSET): the same position, reached by keyset.",
    "- POST, PUT and GraphQL are compared with the service's own item-read rate, as the targets are.",
    "- *floor p99 / p50* is the same spread for the floor in the same run: what the worker class, the",
    "  connection mode and the shared cores give a request with no framework at all.",
    "- *Profile of an item read*: CPU time per request in-process, least of five batches; the machine's load",
    "  barely moves it, so it is the steadier comparison on a shared machine. Add gunicorn's own ~0.2 ms per",
    "  request to each app to turn it into a throughput ratio.",
]


def ratio(numerator, denominator):
    return f"{numerator / denominator:.2f}" if numerator and denominator else "–"


def measured(size, name, server, mode):
    row = next((row for row in size["cases"] if row["name"] == name), None)
    result = (row or {}).get("modes", {}).get(mode, {}).get(server)
    return result["rps"] if result else None


def case_table(size, modes):
    lines = [
        "| request | connections | floor req/s | sync floor req/s | textbook req/s | service req/s "
        "| service / floor | service / sync floor | service / textbook | p50 ms | p99 ms | p99 / p50 | floor p99 / p50 "
        "| errors | PostgreSQL alone tps |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in size["cases"]:
        if "skipped" in row:
            lines.append(f"| {row['label']} | | | | | skipped: {row['skipped']} | | | | | | | | | |")
            continue
        for mode in modes:
            servers = row["modes"].get(mode, {})
            service = servers["service"]
            floor_name = {"deep_cursor": "deep_page", "not_modified": "item"}.get(row["name"], row["name"])
            floor = measured(size, floor_name, "floor", mode)
            floor_sync = measured(size, floor_name, "floor_sync", mode)
            textbook = servers.get("textbook", {}).get("rps")
            base, base_sync = ratio(service["rps"], floor), ratio(service["rps"], floor_sync)
            if not row["read"]:
                base, base_sync = f"{ratio(service['rps'], measured(size, 'item', 'service', mode))} of item", "–"
            elif floor_name != row["name"] and floor:
                base += f" (floor: {floor_name})"
            errors = service["status_errors"] + service["socket_errors"]
            floor_run = servers.get("floor", {})
            floor_spread = ratio(floor_run.get("p99_us"), floor_run.get("p50_us"))
            lines.append(
                f"| {row['label']} | {mode} | {floor or '–'} | {floor_sync or '–'} | {textbook or '–'} | "
                f"{service['rps']} | {base} | {base_sync} | {ratio(service['rps'], textbook)} | "
                f"{service['p50_ms']:.2f} | {service['p99_ms']:.2f} | "
                f"{ratio(service['p99_us'], service['p50_us'])} | "
                f"{floor_spread} | {errors} | {row.get('postgres_tps') or '–'} |"
            )
    return lines


def cpu_table(size, modes):
    """CPU per request of the service's workers and of PostgreSQL while wrk ran (empty for older runs)."""
    lines = [
        "| request | " + " | ".join(f"{mode}: workers ms | {mode}: PostgreSQL ms" for mode in modes) + " |",
        "|---|" + "---:|---:|" * len(modes),
    ]
    for row in size["cases"]:
        cells = [row["modes"].get(mode, {}).get("service", {}).get("cpu_ms") for mode in modes]
        if any(cells):
            lines.append(
                f"| {row['label']} | "
                + " | ".join(f"{cell['workers']:.2f} | {cell['postgres']:.2f}" if cell else "– | –" for cell in cells)
                + " |"
            )
    return lines if len(lines) > 2 else []


def targets(report):
    """Each target of the issue with the measured value and whether it holds in this run."""
    sizes = {size["rows"]: size for size in report["sizes"]}
    modes = report["options"]["modes"]
    lines = ["| target | measured | holds |", "|---|---|---|"]

    def add(text, value, wanted, at_most=False):
        if value is None:
            lines.append(f"| {text} | not measured in this run | – |")
        else:
            holds = value <= wanted if at_most else value >= wanted
            lines.append(f"| {text} | {value:.2f} | {'yes' if holds else 'NO'} |")

    for rows, size in sizes.items():
        for mode in modes:
            for name, server, base, wanted in RATIO_TARGETS:
                value, denominator = measured(size, name, "service", mode), measured(size, base, server, mode)
                add(
                    f"{name} ≥ {wanted} × {server} {base} ({rows} rows, {mode})",
                    value / denominator if value and denominator else None,
                    wanted,
                )
            item = measured(size, "item", "service", mode)
            for name in ("post", "put", "graphql"):
                rate = measured(size, name, "service", mode)
                add(f"{name} ≥ 0.5 × item read ({rows} rows, {mode})", rate / item if rate and item else None, 0.5)
            post = measured(size, "post", "service", mode)
            keyed, batch = measured(size, "post_keyed", "service", mode), measured(size, "batch", "service", mode)
            add(f"post_keyed ≥ 0.8 × post ({rows} rows, {mode})", keyed / post if keyed and post else None, 0.8)
            add(
                f"batch of 100 creates ≥ 10 × post, resources/s ({rows} rows, {mode})",
                batch * 100 / post if batch and post else None,
                10,
            )
            spreads = [
                row["modes"][mode]["service"]["p99_us"] / row["modes"][mode]["service"]["p50_us"]
                for row in size["cases"]
                if row.get("read") and mode in row.get("modes", {})
            ]
            add(f"p99 ≤ 3 × p50 on every read ({rows} rows, {mode})", max(spreads, default=None), 3, at_most=True)
    if 10000 in sizes and 1000000 in sizes:
        for mode in modes:
            for name in ("list", "type", "title"):
                big, small = (
                    measured(sizes[1000000], name, "service", mode),
                    measured(sizes[10000], name, "service", mode),
                )
                add(f"{name} at 1M within 2× of 10k ({mode})", big / small if big and small else None, 0.5)
    return lines


def workers_table(workers):
    setups = workers["setups"]
    keys = [key for key in setups[0]["rates"] if key != "slow_clients"]
    lines = [
        "| set-up | " + " | ".join(f"{key} req/s" for key in keys) + " | /health/live with 50 slow clients s "
        "| … and 1,000 idle connections more s | peak RSS per worker MiB |",
        "|---|" + "---:|" * len(keys) + "---:|---:|---|",
    ]
    for setup in setups:
        rates, slow = setup["rates"], setup["rates"].get("slow_clients", {})
        cells = " | ".join(str(rates[key]["rps"]) for key in keys)
        lines.append(
            f"| {setup['setup']} | {cells} | {slow.get('slow') or '> 5 (no answer)'} | "
            f"{slow.get('slow_and_idle') or '> 5 (no answer)'} | {setup['rss_mib']} |"
        )
    return lines


def write_results(report, path, workers_path=None, profile_path=None):
    """RESULTS.md from one run's measurements, the latest worker comparison and the latest item profile."""
    if workers_path and Path(workers_path).exists():
        report = {**report, "workers": json.loads(Path(workers_path).read_text())}
    options, postgres = report["options"], report["postgres"]
    out = [
        "# Benchmark results",
        "",
        f"Written by `bench/run` ({report['started']}): `--rows {options['rows']} --duration {options['duration']} "
        f"--workers {options['workers']} --sync-workers {options.get('sync_workers', options['workers'])} "
        f"--rounds {options.get('rounds', 1)} --warmup {options.get('warmup', 0)}`. wrk -t2 -c16, one tenant (of 100), "
        "plain JSON, each request in both connection modes. Each read is run "
        f"{options.get('rounds', 1)} times per server, the floors, the textbook and the service taking turns in "
        "each round; a figure is the median run (all rounds' rates: `bench/var/results.json`, `rounds_rps`), so "
        "the service's is beside the floor's and the textbook's measured in the same minutes. Each run of a read "
        "follows an uncounted warm-up of the same request (`--warmup` seconds).",
        "",
        "## Set-up",
        "",
        f"- machine: {postgres['machine']}; {postgres['version']}",
        f"- gunicorn: service and floor {options['workers']} workers "
        f"`{options.get('worker_class') or 'gunicorn.conf.py default (gevent)'}`, sync floor and textbook "
        f"{options.get('sync_workers', options['workers'])} sync workers; "
        "no access log; "
        "the service with tenant states and rate-limit counters in Redis (`REDIS_URL`), rate limits counted but "
        f"out of reach, `LOG_LEVEL={options.get('log_level', 'INFO')}`",
        "- PostgreSQL: "
        + ", ".join(f"{name}={value}" for name, value in postgres.items() if name not in ("version", "machine")),
        "",
    ]
    for size in report["sizes"]:
        rss = size["rss_mib"]
        out += [
            f"## {size['rows']:,} rows ({size['tenant_rows']:,} in the bench tenant; load or reuse "
            f"{size['load_seconds']} s)",
            "",
            f"Load average before/after: {' '.join(f'{x:.2f}' for x in size['load_average_before'])} / "
            f"{' '.join(f'{x:.2f}' for x in size['load_average_after'])}",
            "",
            *case_table(size, options["modes"]),
            "",
            *(
                [
                    "CPU per request of the service while wrk ran (its workers; every PostgreSQL process):",
                    "",
                    *cpu,
                    "",
                ]
                if (cpu := cpu_table(size, options["modes"]))
                else []
            ),
            f"Peak RSS per worker (MiB): service {rss['service']}, floor {rss['floor']}, "
            f"textbook {rss.get('textbook')}.",
            "",
        ]
        if size.get("two_instances"):
            two = size["two_instances"]
            out += [
                f"Two service instances on two ports, one database, {two['case']}: "
                f"{' + '.join(str(rate) for rate in two['instances'])} = **{two['sum']} req/s**.",
                "",
            ]
        out += [f"EXPLAIN of each list query: `bench/explain-{size['rows']}.md`.", ""]
    out += ["## Targets of the issue", "", *targets(report), ""]
    if report.get("workers"):
        out += [
            f"## gunicorn set-ups (`--compare-workers`, first size, {report['workers']['started']})",
            "",
            *workers_table(report["workers"]),
            "",
        ]
    if profile_path and Path(profile_path).exists():
        out += ["## Profiles of an item read and of the writes", "", Path(profile_path).read_text().strip(), ""]
    out += ["## How to read these figures", "", *READING_NOTES, ""]
    Path(path).write_text("\n".join(out))


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/var/results.json").read_text())
    write_results(
        data,
        sys.argv[2] if len(sys.argv) > 2 else "bench/RESULTS.md",
        "bench/var/workers.json",
        "bench/profile-item.md",
    )
