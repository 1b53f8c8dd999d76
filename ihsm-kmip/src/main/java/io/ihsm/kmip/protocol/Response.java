package io.ihsm.kmip.protocol;

import io.ihsm.kmip.ttlv.Ttlv;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds KMIP response messages: a header and one result per batch item. */
public final class Response {
  private static final long SUCCESS = 0;
  private static final long OPERATION_FAILED = 1;

  private Response() {}

  /** One batch item's answer: the payload of a success, or the reason and message of a failure. */
  public record Result(
      int operation,
      Optional<byte[]> id,
      Optional<List<Ttlv>> payload,
      ResultReason reason,
      String message) {
    public static Result success(int operation, Optional<byte[]> id, List<Ttlv> payload) {
      return new Result(operation, id, Optional.of(payload), null, "");
    }

    public static Result failure(
        int operation, Optional<byte[]> id, ResultReason reason, String message) {
      return new Result(operation, id, Optional.empty(), reason, message);
    }

    Ttlv toTtlv() {
      List<Ttlv> f = new ArrayList<>();
      if (operation > 0) {
        f.add(Ttlv.enumeration(Tag.OPERATION, operation));
      }
      id.ifPresent(b -> f.add(Ttlv.bytes(Tag.UNIQUE_BATCH_ITEM_ID, b)));
      if (payload.isPresent()) {
        f.add(Ttlv.enumeration(Tag.RESULT_STATUS, SUCCESS));
        f.add(Ttlv.structure(Tag.RESPONSE_PAYLOAD, payload.get()));
      } else {
        f.add(Ttlv.enumeration(Tag.RESULT_STATUS, OPERATION_FAILED));
        f.add(Ttlv.enumeration(Tag.RESULT_REASON, reason.code()));
        f.add(Ttlv.text(Tag.RESULT_MESSAGE, message));
      }
      return Ttlv.structure(Tag.BATCH_ITEM, f);
    }
  }

  public static Ttlv message(ProtocolVersion version, List<Result> results) {
    List<Ttlv> m = new ArrayList<>();
    m.add(
        Ttlv.structure(
            Tag.RESPONSE_HEADER,
            version.toTtlv(),
            Ttlv.dateTime(Tag.TIME_STAMP, Instant.now().truncatedTo(ChronoUnit.SECONDS)),
            Ttlv.integer(Tag.BATCH_COUNT, results.size())));
    for (Result r : results) {
      m.add(r.toTtlv());
    }
    return Ttlv.structure(Tag.RESPONSE_MESSAGE, m);
  }

  /** The answer to a message that could not be read as a request at all. */
  public static Ttlv refusal(ResultReason reason, String message) {
    return message(
        new ProtocolVersion(1, 0), List.of(Result.failure(0, Optional.empty(), reason, message)));
  }
}
