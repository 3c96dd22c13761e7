"""CPU threads for the models: the user's `ZHENGCE_THREADS`, else the process's CPUs, shared out
between batch workers."""

from __future__ import annotations

import os

import pytest

from pipeline.devices import THREADS_VARIABLE, cpu_threads, limit_threads
from pipeline.errors import ConfigError


def test_cpu_threads_are_the_process_cpus_unless_the_user_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THREADS_VARIABLE, "")  # unset, and put back as it was after the test
    assert cpu_threads() == len(os.sched_getaffinity(0))
    monkeypatch.setenv(THREADS_VARIABLE, "3")
    assert cpu_threads() == 3


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_thread_count_is_a_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(THREADS_VARIABLE, value)
    with pytest.raises(ConfigError, match=THREADS_VARIABLE):
        cpu_threads()


def test_a_worker_takes_its_share_but_the_users_setting_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THREADS_VARIABLE, "")  # unset, and put back as it was after the test
    limit_threads(0)  # more workers than CPUs: one thread each, never none
    assert cpu_threads() == 1
    monkeypatch.setenv(THREADS_VARIABLE, "4")
    limit_threads(1)
    assert cpu_threads() == 4
