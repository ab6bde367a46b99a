"""Writes bench/RESULTS.md from the measurements bench/run.py made (also: python bench/report.py)."""

import json
import sys
from pathlib import Path

YARDSTICK_1M = {"type": 145, "title": 86, "deep_cursor": 75}  # the floor at 1M (req/s)
YARDSTICK_NOTE = "issue's floor at 1M: type 145, title 86, page=500 75 req/s"


READING_NOTES = [
    "- Compare ratios, not absolute rates: the floor and the service run one after the other on the same",
    "  machine, so what other processes take from the 2 cores weighs on both. The load averages above say how",
    "  busy the machine was; with a load above 2 the absolute figures are not worth quoting.",
    "- *PostgreSQL alone* is pgbench running the very SQL the service sends for that request (16 clients):",
    "  the ceiling no application tier on this machine can pass for that request.",
    "- The service's figures count what the floor skips: DRF's request cycle (content negotiation, the",
    "  FilterSet and its form, the serializer), simplejwt, the tenant check in Redis, Django's SQL compiler,",
    "  and a JSON-LD/Hydra or Link-header envelope. Profiles of one request (cProfile with a CPU clock) put",
    "  an item read at ~1.2 ms of CPU and a list page at ~2.5-3 ms, against ~0.26 ms and ~0.4-0.6 ms for",
    "  the floor (gunicorn adds the same ~0.2 ms to both); the rest is waiting on PostgreSQL and Redis.",
    "- Django's connection health check (`DATABASE_CONN_HEALTH_CHECKS`, on by default) sends a `SELECT 1`",
    "  before each request's first query: py-spy put it at ~9 % of a list request's samples. The bench keeps",
    "  the default; `DATABASE_CONN_HEALTH_CHECKS=false bench/run` measures without it.",
    "- `deep_cursor` is compared with the floor's `page=500` (OFFSET): the same position, reached by keyset.",
    "- POST and PUT are compared with the service's own item-read rate, as the targets are.",
]


def ratio(numerator, denominator):
    return f"{numerator / denominator:.2f}" if denominator else "–"


def case_table(size):
    lines = [
        "| request | floor req/s | service req/s | service / floor | p50 ms | p99 ms | p99 / p50 | errors "
        "| PostgreSQL alone tps |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rates = {row["name"]: row for row in size["cases"]}
    for row in size["cases"]:
        if "skipped" in row:
            lines.append(f"| {row['label']} | | skipped: {row['skipped']} | | | | | | |")
            continue
        service = row["service"]
        floor = row.get("floor") or (rates.get("deep_page", {}).get("floor") if row["name"] == "deep_cursor" else None)
        floor_rps = floor["rps"] if floor else None
        base = f"{ratio(service['rps'], floor_rps)}" if floor_rps else "–"
        if not row["read"] and "item" in rates:
            base = f"{ratio(service['rps'], rates['item']['service']['rps'])} of item"
        elif row["name"] == "deep_cursor" and floor_rps:
            base += " (floor: page=500)"
        errors = service["status_errors"] + service["socket_errors"]
        lines.append(
            f"| {row['label']} | {floor_rps or '–'} | {service['rps']} | {base} | {service['p50_ms']:.2f} | "
            f"{service['p99_ms']:.2f} | {ratio(service['p99_us'], service['p50_us'])} | {errors} | "
            f"{row.get('postgres_tps') or '–'} |"
        )
    return lines


def service_rps(size, name):
    row = next((row for row in size["cases"] if row["name"] == name and "service" in row), None)
    return row["service"]["rps"] if row else None


def floor_rps(size, name):
    row = next((row for row in size["cases"] if row["name"] == name and "floor" in row), None)
    return row["floor"]["rps"] if row else None


def targets(report):
    """Each target of the issue with the measured ratio and whether it holds in this run."""
    sizes = {size["rows"]: size for size in report["sizes"]}
    lines = ["| target | measured | holds |", "|---|---|---|"]

    def add(text, value, wanted):
        if value is None:
            lines.append(f"| {text} | not measured in this run | – |")
        else:
            lines.append(f"| {text} | {value:.2f} | {'yes' if value >= wanted else 'NO'} |")

    for rows, size in sizes.items():
        item, floor_item = service_rps(size, "item"), floor_rps(size, "item")
        add(f"GET item ≥ 0.6 × floor ({rows} rows)", item / floor_item if item and floor_item else None, 0.6)
        if rows <= 10000:
            page, floor_page = service_rps(size, "list"), floor_rps(size, "list")
            add(f"list page ≥ 0.6 × floor ({rows} rows)", page / floor_page if page and floor_page else None, 0.6)
        for name in ("post", "put"):
            rate = service_rps(size, name)
            add(f"{name.upper()} ≥ 0.5 × item read ({rows} rows)", rate / item if rate and item else None, 0.5)
        worst = max(
            (
                row["service"]["p99_us"] / row["service"]["p50_us"]
                for row in size["cases"]
                if row.get("read") and "service" in row
            ),
            default=None,
        )
        if worst is not None:
            lines.append(
                f"| p99 ≤ 3 × p50 on every read ({rows} rows) | worst {worst:.2f} | {'yes' if worst <= 3 else 'NO'} |"
            )
    big = sizes.get(max(sizes)) if sizes and max(sizes) >= 1000000 else None
    small = sizes.get(10000)
    for name, yardstick in YARDSTICK_1M.items():
        rate = service_rps(big, name) if big else None
        add(f"{name} at 1M ≥ 10 × the issue's floor ({yardstick} req/s)", rate / yardstick if rate else None, 10)
        small_rate = service_rps(small, name) if small else None
        value = rate / small_rate if rate and small_rate else None
        add(f"{name} at 1M within 2× of 10k (1M / 10k ≥ 0.5)", value, 0.5)
    return lines


def write_results(report, path, workers_path=None):
    """RESULTS.md from one run's measurements, plus the latest gunicorn comparison (``--compare-workers``)."""
    if workers_path and Path(workers_path).exists():
        report = {**report, "workers": json.loads(Path(workers_path).read_text())}
    options, postgres = report["options"], report["postgres"]
    out = [
        "# Benchmark results",
        "",
        f"Written by `bench/run` ({report['started']}): `--rows {options['rows']} --duration {options['duration']} "
        f"--workers {options['workers']}`. wrk -t2 -c16, HTTP keep-alive, one tenant (of 100), plain JSON.",
        "Every service figure is beside the bare floor app (`bench/floor.py`) measured just before it.",
        "",
        "## Set-up",
        "",
        f"- machine: {postgres['machine']}; {postgres['version']}",
        f"- gunicorn: {options['workers']} sync workers for each app (the service with `gunicorn.conf.py`, the floor "
        "with `bench/floor_gunicorn.conf.py`), no access log; the service with "
        f"`DATABASE_CONN_MAX_AGE=600`, `DATABASE_CONN_HEALTH_CHECKS={options.get('health_checks', 'true')}` and "
        f"tenant states and rate-limit counters in Redis (`REDIS_URL`), rate limits counted but out of reach, "
        f"`LOG_LEVEL={options.get('log_level', 'INFO')}`",
        "- PostgreSQL: "
        + ", ".join(f"{name}={value}" for name, value in postgres.items() if name not in ("version", "machine")),
        "",
    ]
    for size in report["sizes"]:
        out += [
            f"## {size['rows']:,} rows ({size['tenant_rows']:,} in the bench tenant; load or reuse "
            f"{size['load_seconds']} s)",
            "",
            f"Load average before/after: {' '.join(f'{x:.2f}' for x in size['load_average_before'])} / "
            f"{' '.join(f'{x:.2f}' for x in size['load_average_after'])}",
            "",
            *case_table(size),
            "",
            f"Peak RSS per worker (MiB): service {size['rss_mib']['service']}, floor {size['rss_mib']['floor']}.",
            "",
            f"Two service instances on two ports, one database, {size['two_instances']['case']}: "
            f"{' + '.join(str(rate) for rate in size['two_instances']['instances'])} = "
            f"**{size['two_instances']['sum']} req/s**.",
            "",
            f"EXPLAIN of each list query: `bench/explain-{size['rows']}.md`.",
            "",
        ]
    out += ["## Targets of the issue", "", *targets(report), ""]
    if report.get("workers"):
        out += [
            f"## gunicorn workers (item and list, first size; `--compare-workers`, {report['workers']['started']})",
            "",
            "| set-up | item req/s | list req/s | item p99 ms | peak RSS per worker MiB |",
            "|---|---:|---:|---:|---|",
        ]
        for setup in report["workers"]["setups"]:
            rates = setup["rates"]
            out.append(
                f"| {setup['setup']} | {rates['item']['rps']} | {rates['list']['rps']} | "
                f"{rates['item']['p99_ms']:.2f} | {setup['rss_mib']} |"
            )
        out.append("")
    out += ["## How to read these figures", "", *READING_NOTES, ""]
    Path(path).write_text("\n".join(out))


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/var/results.json").read_text())
    write_results(data, sys.argv[2] if len(sys.argv) > 2 else "bench/RESULTS.md", "bench/var/workers.json")
