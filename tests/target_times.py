"""Pass ansible-test's output through and, at its end, print how long each integration target
took (from the moment ansible-test announced it to the next one, or the end)."""
import re
import sys
import time

START = re.compile(r'^Running (\S+) integration test role')


def main():
    times, current, since = [], None, time.monotonic()
    for line in sys.stdin:
        sys.stdout.write(line)
        sys.stdout.flush()
        match = START.match(line)
        if match:
            now = time.monotonic()
            if current:
                times.append((current, now - since))
            current, since = match.group(1), now
    if current:
        times.append((current, time.monotonic() - since))
    print('\n==== integration targets')
    for name, seconds in times:
        print('target %-16s %5.0f s' % (name, seconds))


if __name__ == '__main__':
    main()
