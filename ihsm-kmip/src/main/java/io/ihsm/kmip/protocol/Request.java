package io.ihsm.kmip.protocol;

import io.ihsm.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A KMIP request message as the server acts on it: its protocol version, its batch items in order,
 * and whether a failed item stops the rest (KMIP 1.4 section 7).
 */
public record Request(ProtocolVersion version, List<BatchItem> items, boolean stopOnError) {
  /** One operation of the batch: its operation, its id (echoed back, may be empty), its payload. */
  public record BatchItem(int operation, Optional<byte[]> id, Optional<Struct> payload) {}

  /** The batch error continuation option "Continue" (1); "Stop" (2) is the default. */
  private static final long CONTINUE = 1;

  private static final Set<Integer> MESSAGE = Set.of(Tag.REQUEST_HEADER, Tag.BATCH_ITEM);
  private static final Set<Integer> HEADER =
      Set.of(
          Tag.PROTOCOL_VERSION,
          Tag.MAXIMUM_RESPONSE_SIZE,
          Tag.BATCH_ERROR_CONTINUATION_OPTION,
          Tag.BATCH_ORDER_OPTION,
          Tag.TIME_STAMP,
          Tag.BATCH_COUNT);
  private static final Set<Integer> ITEM =
      Set.of(Tag.OPERATION, Tag.UNIQUE_BATCH_ITEM_ID, Tag.REQUEST_PAYLOAD);

  /** The batch items of one message the server takes; more is refused as a whole. */
  public static final int MAX_BATCH_ITEMS = 64;

  /**
   * @throws KmipException INVALID_MESSAGE (or the field's reason) when it is not a request this
   *     server reads
   */
  public static Request parse(Ttlv message) throws KmipException {
    if (message.tag() != Tag.REQUEST_MESSAGE) {
      throw new KmipException(ResultReason.INVALID_MESSAGE, "the message is not a Request Message");
    }
    Struct m = Struct.of(message, "Request Message").only(MESSAGE);
    Struct header = m.struct(Tag.REQUEST_HEADER, "Request Header").only(HEADER);
    ProtocolVersion version =
        ProtocolVersion.read(header.struct(Tag.PROTOCOL_VERSION, "Protocol Version"));
    int count = header.integer(Tag.BATCH_COUNT, "Batch Count");
    boolean stop =
        header
                .optionalEnumeration(
                    Tag.BATCH_ERROR_CONTINUATION_OPTION, "Batch Error Continuation Option")
                .orElse(2L)
            != CONTINUE;
    List<Ttlv> raw = m.all(Tag.BATCH_ITEM);
    if (raw.isEmpty() || raw.size() != count) {
      throw new KmipException(
          ResultReason.INVALID_MESSAGE,
          "Batch Count says " + count + " items, the message has " + raw.size());
    }
    if (count > MAX_BATCH_ITEMS) {
      throw new KmipException(
          ResultReason.INVALID_MESSAGE, "a batch has at most " + MAX_BATCH_ITEMS + " items");
    }
    List<BatchItem> items = new ArrayList<>();
    for (Ttlv t : raw) {
      Struct item = Struct.of(t, "Batch Item").only(ITEM);
      items.add(
          new BatchItem(
              (int) item.enumeration(Tag.OPERATION, "Operation"),
              item.optionalBytes(Tag.UNIQUE_BATCH_ITEM_ID, "Unique Batch Item ID"),
              item.optionalStruct(Tag.REQUEST_PAYLOAD, "Request Payload")));
    }
    return new Request(version, List.copyOf(items), stop);
  }
}
