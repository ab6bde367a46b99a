"""Helpers the specifications share (not tests, not fixtures): the gunicorn launcher and free ports
(``live_server``), plain HTTP calls (``http_calls``), the GraphQL client (``graphql_client``), concurrent
requests (``concurrency``), PostgreSQL sessions and locks (``pg_sessions``), a faulty TCP proxy
(``tcp_proxy``), the seeds beside a development clone (``seeds``) and the write loop of the shutdown test.
"""
