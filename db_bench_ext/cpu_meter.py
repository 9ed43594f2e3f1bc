"""CPU accounting for the benchmark drivers (compare, redis_bench): what a
run cost in CPU, so that a ratio comes with its reason. A machine whose
CPUs were all busy while a run lasted was CPU-bound, whatever the device
could have done; under QEMU/TCG that is the usual case.
"""

import os
import resource

_TICK = os.sysconf("SC_CLK_TCK")


def machine_cpu():
    """(busy, total) CPU time of the whole machine so far, in ticks, from
    /proc/stat's first line. iowait counts as idle: a CPU waiting for the
    device is one the run could have used."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def process_cpu_seconds(pid):
    """User + system time of process `pid`, all its threads (io-wq workers
    included), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / _TICK


def busy_pct(before, after):
    """Share of all CPUs busy between two machine_cpu() readings, or None."""
    dt = after[1] - before[1]
    return 100.0 * (after[0] - before[0]) / dt if dt else None


class CpuMeter:
    """Around one run of child processes: `cpu_s`, the user + system time
    of the children it waited for (their io-wq workers included), and
    `busy_pct`, how busy all of the machine's CPUs were meanwhile (kernel
    threads and interrupts included)."""

    def __enter__(self):
        self._ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._machine = machine_cpu()
        return self

    def __exit__(self, *exc):
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu_s = ((ru.ru_utime - self._ru.ru_utime)
                      + (ru.ru_stime - self._ru.ru_stime))
        self.busy_pct = busy_pct(self._machine, machine_cpu())
        return False
