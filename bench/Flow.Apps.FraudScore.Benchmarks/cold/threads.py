#!/usr/bin/env python3
"""Runs a command, reads /proc/<pid>/task/*/stat every 20 ms and prints its first output line, the wall time,
the CPU seconds (user + system) of all its threads and of each thread that used at least 0.05 s."""
import os
import subprocess
import sys
import time

tick = os.sysconf('SC_CLK_TCK')
start = time.time()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
last, first_seen = {}, {}
while process.poll() is None:
    try:
        for tid in os.listdir(f'/proc/{process.pid}/task'):
            try:
                stat = open(f'/proc/{process.pid}/task/{tid}/stat').read()
            except OSError:
                continue
            name = stat[stat.index('(') + 1:stat.rindex(')')]
            fields = stat[stat.rindex(')') + 2:].split()
            last[tid] = (name, (int(fields[11]) + int(fields[12])) / tick)
            first_seen.setdefault(tid, time.time() - start)
    except OSError:
        pass
    time.sleep(0.02)
wall = time.time() - start
output = process.stdout.read().decode()
print(output.splitlines()[0] if output else '')
print(f'wall {wall:.2f} s, threads seen {len(last)}, cpu sum {sum(c for _, c in last.values()):.2f} s')
for tid, (name, cpu) in sorted(last.items(), key=lambda kv: -kv[1][1]):
    if cpu >= 0.05:
        print(f'  {tid:>7} {name:<18} {cpu:6.2f} s  (from {first_seen[tid]:.2f} s)')
sys.exit(process.returncode)
