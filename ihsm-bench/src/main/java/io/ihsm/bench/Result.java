package io.ihsm.bench;

/** One row: a workload on a path with a number of threads. */
public record Result(
    String workload,
    String path,
    int threads,
    double opsPerSec,
    double p50Micros,
    double p99Micros) {}
