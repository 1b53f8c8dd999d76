package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * ListPartitions response: u32 count (≤ {@value #MAX_PARTITIONS}), then per partition: u32 id,
 * string name (≤ 32), bool provisioned, bool established, bool locked.
 */
public record PartitionList(List<Entry> partitions) implements Body {
  public static final int MAX_PARTITIONS = 256;

  /** One partition as the Crypto Officer sees it (no secrets). */
  public record Entry(
      int id, String name, boolean provisioned, boolean established, boolean locked) {}

  public PartitionList {
    partitions = List.copyOf(partitions);
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.u32(partitions.size());
    for (Entry e : partitions) {
      w.u32(e.id())
          .string(e.name(), CreatePartitionRequest.MAX_NAME)
          .bool(e.provisioned())
          .bool(e.established())
          .bool(e.locked());
    }
  }

  public static PartitionList read(BodyReader r) throws DdiException {
    int n = r.u32("count");
    if (n < 0 || n > MAX_PARTITIONS) {
      throw new DdiException(
          Status.MALFORMED_BODY, "field 'count': more than " + MAX_PARTITIONS + " partitions");
    }
    List<Entry> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(
          new Entry(
              r.u32("id"),
              r.string("name", CreatePartitionRequest.MAX_NAME),
              r.bool("provisioned"),
              r.bool("established"),
              r.bool("locked")));
    }
    r.end();
    return new PartitionList(list);
  }
}
