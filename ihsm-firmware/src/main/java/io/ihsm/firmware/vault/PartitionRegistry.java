package io.ihsm.firmware.vault;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.ddi.spi.NonVolatileStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The partition records in non-volatile storage, rewritten atomically as a whole on each change.
 */
final class PartitionRegistry {
  static final String RECORD = "partitions";
  static final int MAX_PARTITIONS = 64;

  private final NonVolatileStore nv;
  private final List<PartitionRecord> records = new ArrayList<>();
  private int nextId = 1;

  PartitionRegistry(NonVolatileStore nv) {
    this.nv = nv;
    nv.read(RECORD).ifPresent(this::load);
  }

  synchronized List<PartitionRecord> all() {
    return List.copyOf(records);
  }

  /** Looked up on every key operation (the partition must be established): a plain loop. */
  synchronized Optional<PartitionRecord> byId(int id) {
    for (PartitionRecord r : records) {
      if (r.id() == id) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  synchronized Optional<PartitionRecord> byName(String name) {
    return records.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  synchronized boolean full() {
    return records.size() >= MAX_PARTITIONS;
  }

  synchronized PartitionRecord add(String name, byte[] uid, PartitionLimits limits) {
    PartitionRecord r = new PartitionRecord(nextId++, name, uid, limits, false, 0);
    records.add(r);
    save();
    return r;
  }

  synchronized Optional<PartitionRecord> byUid(byte[] uid) {
    return records.stream().filter(r -> Arrays.equals(r.uid(), uid)).findFirst();
  }

  synchronized void replace(PartitionRecord updated) {
    records.replaceAll(r -> r.id() == updated.id() ? updated : r);
    save();
  }

  synchronized void remove(int id) {
    records.removeIf(r -> r.id() == id);
    save();
  }

  private void save() {
    BodyWriter w = new BodyWriter().u32(nextId).u32(records.size());
    for (PartitionRecord r : records) {
      w.u32(r.id())
          .string(r.name(), CreatePartitionRequest.MAX_NAME)
          .bytes(r.uid(), Masking.BINDING_BYTES);
      r.limits().writeTo(w);
      w.bool(r.provisioned()).u32(r.generation());
    }
    nv.write(RECORD, w.toByteArray());
  }

  private void load(byte[] bytes) {
    try {
      BodyReader r = BodyReader.of(bytes);
      nextId = r.u32("nextId");
      int n = r.u32("count");
      if (n < 0 || n > MAX_PARTITIONS) {
        throw new DdiException(Status.MALFORMED_BODY, "partition count");
      }
      for (int i = 0; i < n; i++) {
        records.add(
            new PartitionRecord(
                r.u32("id"),
                r.string("name", CreatePartitionRequest.MAX_NAME),
                r.bytes("uid", Masking.BINDING_BYTES),
                PartitionLimits.readField(r),
                r.bool("provisioned"),
                r.u32("generation")));
      }
      r.end();
    } catch (DdiException e) {
      // Corrupt NV: the module must not guess. Self-tests and boot treat this as an error.
      throw new IllegalStateException("the partition records in non-volatile storage are corrupt");
    }
  }
}
