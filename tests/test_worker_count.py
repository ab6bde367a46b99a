"""gunicorn.conf.py sizes the workers to the CPUs the container may use, not to the host's cores."""

import os
import runpy

import pytest

from tests.support.live_server import ROOT


@pytest.fixture
def available_cores(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # the config then makes no directory of its own
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["available_cores"]


@pytest.mark.parametrize(("cpu_max", "cores"), [("200000 100000", 2), ("150000 100000", 2), ("50000 100000", 1)])
def test_a_cpu_quota_sets_the_worker_count(available_cores, tmp_path, cpu_max, cores):
    (tmp_path / "cpu.max").write_text(cpu_max + "\n")

    assert available_cores(tmp_path / "cpu.max") == cores


def test_without_a_quota_the_cpus_the_process_may_run_on_count(available_cores, tmp_path):
    (tmp_path / "cpu.max").write_text("max 100000\n")

    assert available_cores(tmp_path / "cpu.max") == len(os.sched_getaffinity(0))
    assert available_cores(tmp_path / "missing") == len(os.sched_getaffinity(0))
