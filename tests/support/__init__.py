"""Helpers the specifications share (not tests, not fixtures): the one gunicorn launcher and free ports
(``gunicorn_launcher``, also used by ``scripts/`` and ``bench/``), the service on the test database
(``live_server``), plain HTTP calls (``http_calls``), the GraphQL client (``graphql_client``), concurrent
requests (``concurrency``), PostgreSQL sessions and locks (``pg_sessions``), a faulty TCP proxy
(``tcp_proxy``), the seeds beside a development clone (``seeds``) and the write loop of the shutdown test.
"""
