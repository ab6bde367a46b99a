"""scripts/replica: a primary, its streaming standby and optionally pgbouncer, until Ctrl-C (see scripts/replica)."""

import argparse
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.pg_clusters import PgBouncer, ReplicaPair, migrate, why_not_available  # noqa: E402

DATABASE = "metadata_service"
DEMO_TENANT = "e5a2120d-6bf7-4c58-a900-bac1e55e986b"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pgbouncer", action="store_true", help="also a pgbouncer (transaction pooling)")
    options = parser.parse_args()
    reason = why_not_available(pgbouncer=options.pgbouncer)
    if reason:
        raise SystemExit(f"cannot start the servers: {reason}")
    with ReplicaPair(durable=True) as pair:
        pair.create_database(DATABASE)
        migrate(pair.primary.url(DATABASE), tenant=DEMO_TENANT)
        bouncer = PgBouncer({DATABASE: ("127.0.0.1", pair.primary.port)}, server_settings={"statement_timeout": 5000})
        try:
            if options.pgbouncer:
                bouncer.start()
            print_settings(pair, bouncer if options.pgbouncer else None)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            signal.pause()
        except KeyboardInterrupt:
            pass
        finally:
            bouncer.stop()
    print("\nstopped every server; removed", pair.home)


def print_settings(pair, bouncer):
    primary, standby = pair.primary.url(DATABASE), pair.standby.url(DATABASE)
    lines = [f"primary  {primary}   (data, logs: {pair.home})", f"standby  {standby}   (streaming, hot)"]
    settings = [f"DATABASE_REPLICA_URLS={standby}"]
    if bouncer:
        lines.append(f"pgbouncer {bouncer.url(DATABASE)}   (transaction pooling, 10 server connections)")
        settings = [
            f"DATABASE_URL={bouncer.url(DATABASE)}",
            "DATABASE_POOL_MODE=transaction",
            f"DATABASE_DIRECT_URL={primary}",
            *settings,
        ]
    else:
        settings.insert(0, f"DATABASE_URL={primary}")
    print("\n".join(lines))
    print("\nServe against them (another terminal):\n\n  " + " \\\n  ".join(settings) + " \\\n  scripts/serve\n")
    print("Pause replay on the standby:  psql " + standby + " -c 'SELECT pg_wal_replay_pause()'")
    print("Ctrl-C stops everything.", flush=True)


if __name__ == "__main__":
    main()
