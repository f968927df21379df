from __future__ import annotations

from gocross_action.probe import container

from .conftest import Machine, rules

STATUS = "Name:\tpython3\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\n"


def test_docker_cgroup_v2_with_a_low_memory_limit_warns(machine: Machine) -> None:
    machine.file("/.dockerenv", "")
    machine.file("/proc/self/status", STATUS)
    machine.file("/proc/self/cgroup", "0::/\n")
    machine.file("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n")
    machine.file("/sys/fs/cgroup/memory.max", f"{512 * 1024 * 1024}\n")
    result = container.probe(machine.ctx("linux/amd64"))
    facts = result.facts
    assert (facts["in_container"], facts["runtime"], facts["seccomp"], facts["no_new_privs"]) == (
        True,
        "docker",
        "filter",
        True,
    )
    assert (facts["cgroup_version"], facts["memory_limit_mib"]) == ("2", 512)
    assert [(f.rule, f.category) for f in result.findings] == [
        ("probe.container.memory-low", "resources-oom")
    ]
    assert "syscalls" not in facts  # syscalls are only tried on the live machine


def test_cgroup_v1_unlimited_memory_on_a_plain_host(machine: Machine) -> None:
    machine.file("/proc/self/status", "Seccomp:\t0\nNoNewPrivs:\t0\n")
    machine.file("/proc/1/cgroup", "4:memory:/\n0::/init.scope\n")
    machine.file("/proc/self/cgroup", "4:memory:/user.slice\n")
    machine.file("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n")
    result = container.probe(machine.ctx("linux/amd64"))
    assert (result.facts["in_container"], result.facts["seccomp"], result.facts["cgroup_version"]) == (
        False,
        "disabled",
        "1",
    )
    assert result.facts["memory_limit_mib"] is None
    assert rules(result.findings) == []


def test_a_kubernetes_cgroup_path_reveals_a_container(machine: Machine) -> None:
    machine.file("/proc/1/cgroup", "0::/kubepods/burstable/pod1234/abcd\n")
    assert container.detect(machine.ctx("linux/amd64"))[:2] == (True, "kubepods")


def test_syscalls_that_this_machine_allows_answer_ok() -> None:
    answers = container.blocked_syscalls()
    assert set(answers) == {"clone3", "faccessat2"}
    assert all(a in ("ok", "ENOSYS", "EPERM") for a in answers.values())
