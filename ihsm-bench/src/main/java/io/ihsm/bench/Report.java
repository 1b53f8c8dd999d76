package io.ihsm.bench;

import io.ihsm.ddi.json.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The results as a table for people, JSON for programs, and an SVG bar chart to read at a glance.
 */
public final class Report {
  static final List<String> PATH_ORDER =
      List.of(
          "ihsm-daemon",
          "ihsm-embedded",
          "ihsm-sdk",
          "ihsm-pkcs11",
          "softhsm2",
          "raw-engine",
          "jdk");
  private static final Map<String, String> COLOURS =
      Map.of(
          "ihsm-daemon",
          "#1f77b4",
          "ihsm-embedded",
          "#6baed6",
          "ihsm-sdk",
          "#08519c",
          "ihsm-pkcs11",
          "#17becf",
          "softhsm2",
          "#ff7f0e",
          "raw-engine",
          "#2ca02c",
          "jdk",
          "#9467bd");

  private Report() {}

  static Optional<Result> find(List<Result> results, String workload, String path, int threads) {
    return results.stream()
        .filter(
            r -> r.workload().equals(workload) && r.path().equals(path) && r.threads() == threads)
        .findFirst();
  }

  public static void table(List<Result> results, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "%-22s %-14s %7s %12s %10s %10s %14s %12s%n",
        "workload",
        "path",
        "threads",
        "ops/s",
        "p50 µs",
        "p99 µs",
        "vs raw-engine",
        "vs softhsm2");
    for (Result r : results) {
      String raw =
          find(results, r.workload(), "raw-engine", r.threads())
              .map(b -> String.format(Locale.ROOT, "%.1f%%", 100 * r.opsPerSec() / b.opsPerSec()))
              .orElse("—");
      String soft =
          find(results, r.workload(), "softhsm2", r.threads())
              .map(b -> String.format(Locale.ROOT, "%.2fx", r.opsPerSec() / b.opsPerSec()))
              .orElse("—");
      out.printf(
          Locale.ROOT,
          "%-22s %-14s %7d %12.0f %10.1f %10.1f %14s %12s%n",
          r.workload(),
          r.path(),
          r.threads(),
          r.opsPerSec(),
          r.p50Micros(),
          r.p99Micros(),
          raw,
          soft);
    }
    out.flush();
  }

  /** An array of objects with exactly: workload, path, threads, opsPerSec, p50Micros, p99Micros. */
  public static String json(List<Result> results) {
    return Json.array(
            results.stream()
                .map(
                    r ->
                        new Json()
                            .put("workload", r.workload())
                            .put("path", r.path())
                            .put("threads", r.threads())
                            .put("opsPerSec", round(r.opsPerSec()))
                            .put("p50Micros", round(r.p50Micros()))
                            .put("p99Micros", round(r.p99Micros())))
                .toList())
        + "\n";
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /**
   * Horizontal bars, one group per workload, one bar per path, for the largest thread count: each
   * bar's length is its throughput relative to the fastest path of its workload, labelled with
   * ops/s and the share of raw-engine.
   */
  /** Width of a 12 px sans-serif character, generously: labels are sized by it, never clipped. */
  private static final double CHAR_PX = 7.4;

  public static String svg(List<Result> results) {
    int threads = results.stream().mapToInt(Result::threads).max().orElse(1);
    Map<String, List<Result>> byWorkload = new LinkedHashMap<>();
    for (Result r : results) {
      if (r.threads() == threads) {
        byWorkload.computeIfAbsent(r.workload(), k -> new ArrayList<>()).add(r);
      }
    }
    // Every label is measured first, so the chart is as wide as its longest line of text.
    int longestPath = 0;
    int longestValue = 0;
    for (var group : byWorkload.entrySet()) {
      for (String path : PATH_ORDER) {
        Optional<Result> r =
            group.getValue().stream().filter(x -> x.path().equals(path)).findFirst();
        if (r.isPresent()) {
          longestPath = Math.max(longestPath, path.length());
          longestValue = Math.max(longestValue, valueLabel(results, r.get(), threads).length());
        }
      }
    }
    int bar = 16;
    int left = 16 + (int) Math.ceil(CHAR_PX * longestPath);
    int barMax = 480;
    String title =
        String.format(
            Locale.ROOT,
            "ihsm benchmark: operations per second, %d thread%s",
            threads,
            threads == 1 ? "" : "s");
    String subtitle =
        "Longer is faster. Bars are relative to the fastest path of each workload; percentages are"
            + " of raw-engine and × compares ihsm with SoftHSM2, in the same run.";
    int width =
        (int)
            Math.ceil(
                Math.max(
                    left + barMax + 8 + CHAR_PX * longestValue + 16,
                    Math.max(
                        16 + title.length() * CHAR_PX * 1.3, 16 + subtitle.length() * CHAR_PX)));
    StringBuilder body = new StringBuilder();
    int y = 64;
    for (var group : byWorkload.entrySet()) {
      double max = group.getValue().stream().mapToDouble(Result::opsPerSec).max().orElse(1);
      body.append(
          String.format(
              Locale.ROOT,
              "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
              y + 12,
              group.getKey()));
      y += 18; // the workload's name on its own line, above its bars
      for (String path : PATH_ORDER) {
        Optional<Result> r =
            group.getValue().stream().filter(x -> x.path().equals(path)).findFirst();
        if (r.isEmpty()) {
          continue;
        }
        double len = Math.max(1, barMax * r.get().opsPerSec() / max);
        body.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                left - 6,
                y + bar - 4,
                path));
        body.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                left,
                y,
                len,
                bar - 3,
                COLOURS.getOrDefault(path, "#888")));
        body.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\">%s</text>%n",
                left + len + 6,
                y + bar - 4,
                valueLabel(results, r.get(), threads)));
        y += bar;
      }
      y += 14;
    }
    return String.format(
        Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n"
            + "<text x=\"10\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n"
            + "<text x=\"10\" y=\"44\">%s</text>%n%s</svg>%n",
        width,
        y + 10,
        title,
        subtitle,
        body);
  }

  /**
   * A bar's label: its rate, its share of the raw engine's and, for ihsm's paths, how it compares
   * with SoftHSM2's, all in the same run.
   */
  private static String valueLabel(List<Result> results, Result r, int threads) {
    List<String> ratios = new ArrayList<>();
    find(results, r.workload(), "raw-engine", threads)
        .ifPresent(
            b ->
                ratios.add(
                    String.format(
                        Locale.ROOT, "%.0f%% of raw-engine", 100 * r.opsPerSec() / b.opsPerSec())));
    if (r.path().startsWith("ihsm")) {
      find(results, r.workload(), "softhsm2", threads)
          .ifPresent(
              b ->
                  ratios.add(
                      String.format(Locale.ROOT, "%.2f× softhsm2", r.opsPerSec() / b.opsPerSec())));
    }
    return String.format(Locale.ROOT, "%,.0f ops/s", r.opsPerSec())
        + (ratios.isEmpty() ? "" : " (" + String.join(", ", ratios) + ")");
  }
}
