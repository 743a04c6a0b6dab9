package dev.berth.cgroup;

/** A group's usage: memory now and its limit (0: none), CPU time consumed, and its process count. */
public record Stats(long memoryBytes, long memoryLimitBytes, long cpuNanos, long pids) {}
