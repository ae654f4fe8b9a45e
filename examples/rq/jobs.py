"""Tiny RQ jobs for the launcher example."""
import time


def add(x, y):
    return x + y


def sleep_for(seconds):
    """A long job: the one to kill a worker under."""
    time.sleep(seconds)
    return seconds
