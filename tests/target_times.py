"""Pass ansible-test's output through and, at its end, print how long each integration target
took (from the moment ansible-test announced it to the next one, or the end), and the slowest
tasks of the run (from each TASK line to the next), so that a slow suite shows where it spends."""
import re
import sys
import time

START = re.compile(r'^Running (\S+) integration test role')
TASK = re.compile(r'^TASK \[(.*)\] \**$')
SLOWEST = 25


def main():
    times, current, since = [], None, time.monotonic()
    tasks, task, task_since = [], None, time.monotonic()
    for line in sys.stdin:
        sys.stdout.write(line)
        sys.stdout.flush()
        now = time.monotonic()
        match = START.match(line)
        task_match = TASK.match(line.rstrip('\n'))
        if (match or task_match) and task:
            tasks.append((now - task_since, current, task))
            task = None
        if task_match:
            task, task_since = task_match.group(1)[:110], now
        if match:
            if current:
                times.append((current, now - since))
            current, since = match.group(1), now
    now = time.monotonic()
    if task:
        tasks.append((now - task_since, current, task))
    if current:
        times.append((current, now - since))
    print('\n==== integration targets')
    for name, seconds in times:
        print('target %-16s %5.0f s' % (name, seconds))
    print('\n==== the %d slowest tasks' % SLOWEST)
    for seconds, target, name in sorted(tasks, reverse=True)[:SLOWEST]:
        print('%6.1f s  %-16s %s' % (seconds, target, name))


if __name__ == '__main__':
    main()
