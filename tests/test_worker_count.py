"""gunicorn's worker count follows the CPUs the service may use, a container's CPU limit included."""

import importlib.util
import os
import shutil

import pytest

from tests.support.live_server import ROOT


@pytest.fixture(scope="module")
def conf():
    """gunicorn.conf.py loaded as gunicorn loads it; the metrics directory it makes is removed again."""
    before = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if before is None:
        shutil.rmtree(os.environ.pop("PROMETHEUS_MULTIPROC_DIR"), ignore_errors=True)
    return module


def cgroup_v2(tmp_path, cpu_max):
    (tmp_path / "cpu.max").write_text(cpu_max)
    return tmp_path


def cgroup_v1(tmp_path, quota, period="100000"):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(quota)
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(period)
    return tmp_path


def affinity():
    return len(os.sched_getaffinity(0))


@pytest.mark.parametrize(("cpu_max", "expected"), [("100000 100000", 1), ("150000 100000", 2), ("50000 100000", 1)])
def test_a_cgroup_v2_cpu_limit_caps_the_cpus(conf, tmp_path, cpu_max, expected):
    assert conf.usable_cpus(cgroup_v2(tmp_path, cpu_max)) == min(expected, affinity())


def test_a_cgroup_v1_cpu_quota_caps_the_cpus(conf, tmp_path):
    assert conf.usable_cpus(cgroup_v1(tmp_path, "100000")) == 1


@pytest.mark.parametrize("limit", ["max 100000", "garbage"])
def test_no_cgroup_v2_limit_means_the_affinity(conf, tmp_path, limit):
    assert conf.usable_cpus(cgroup_v2(tmp_path, limit)) == affinity()


def test_an_unlimited_cgroup_v1_quota_means_the_affinity(conf, tmp_path):
    assert conf.usable_cpus(cgroup_v1(tmp_path, "-1")) == affinity()


def test_no_cgroup_files_mean_the_affinity(conf, tmp_path):
    assert conf.usable_cpus(tmp_path) == affinity()
