package io.ihsm.kmip.server;

import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.ProtocolVersion;
import io.ihsm.kmip.protocol.Request;
import io.ihsm.kmip.protocol.Response;
import io.ihsm.kmip.protocol.ResultReason;
import io.ihsm.kmip.protocol.Struct;
import io.ihsm.kmip.protocol.Tag;
import io.ihsm.kmip.ttlv.ItemType;
import io.ihsm.kmip.ttlv.Ttlv;
import io.ihsm.sdk.IhsmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dispatcher: each batch item to its operation's handler, and every way a handler can fail to
 * one KMIP result reason, in one place. A failed item never takes the connection with it.
 */
final class Operations {
  private final Map<Integer, Handler> handlers = new HashMap<>();

  Operations() {
    CreateOperations.register(handlers);
    ReadOperations.register(handlers);
    LifecycleOperations.register(handlers);
    AttributeOperations.register(handlers);
    CryptoOperations.register(handlers);
    handlers.put(Operation.DISCOVER_VERSIONS, Operations::discoverVersions);
    handlers.put(Operation.QUERY, this::query);
  }

  /** Serves a request; its items in order, stopping at a failure unless it asked to continue. */
  Ttlv serve(Request request, KmipPartition partition) {
    if (!request.version().supported()) {
      return Response.message(
          new ProtocolVersion(1, 4),
          List.of(
              Response.Result.failure(
                  request.items().get(0).operation(),
                  request.items().get(0).id(),
                  ResultReason.INVALID_MESSAGE,
                  "protocol version " + request.version() + " is not served; 1.0 to 1.4 are")));
    }
    Batch batch = new Batch(partition, request.version());
    List<Response.Result> results = new ArrayList<>();
    boolean failed = false;
    for (Request.BatchItem item : request.items()) {
      if (failed && request.stopOnError()) {
        break;
      }
      Response.Result r = serveItem(item, batch);
      failed |= r.payload().isEmpty();
      results.add(r);
    }
    return Response.message(request.version(), results);
  }

  private Response.Result serveItem(Request.BatchItem item, Batch batch) {
    Handler h = handlers.get(item.operation());
    try {
      if (h == null) {
        throw new KmipException(
            ResultReason.OPERATION_NOT_SUPPORTED,
            "operation " + item.operation() + " is not served (docs/kmip.md lists those that are)");
      }
      Struct payload =
          item.payload().orElse(Struct.of(Ttlv.structure(Tag.REQUEST_PAYLOAD), "Request Payload"));
      return Response.Result.success(item.operation(), item.id(), h.handle(payload, batch));
    } catch (KmipException e) {
      return Response.Result.failure(item.operation(), item.id(), e.reason(), e.getMessage());
    } catch (IhsmException e) {
      return Response.Result.failure(item.operation(), item.id(), reason(e), e.getMessage());
    } catch (KmipObjects.DamagedRecordException e) {
      return Response.Result.failure(
          item.operation(), item.id(), ResultReason.GENERAL_FAILURE, e.getMessage());
    } catch (IllegalArgumentException e) {
      return Response.Result.failure(
          item.operation(), item.id(), ResultReason.INVALID_FIELD, e.getMessage());
    } catch (RuntimeException e) {
      // A bug must not leak details or take the connection: the client sees a general failure.
      return Response.Result.failure(
          item.operation(), item.id(), ResultReason.GENERAL_FAILURE, "the server failed");
    }
  }

  private static ResultReason reason(IhsmException e) {
    return switch (e.status()) {
      case LABEL_NOT_FOUND, KEY_NOT_FOUND -> ResultReason.ITEM_NOT_FOUND;
      case KEY_STATE_NOT_PERMITTED, INVALID_STATE_TRANSITION -> ResultReason.ILLEGAL_OPERATION;
      case USAGE_NOT_PERMITTED, WRONG_KEY_KIND -> ResultReason.PERMISSION_DENIED;
      case NOT_EXTRACTABLE -> ResultReason.NOT_EXTRACTABLE;
      case LABEL_EXISTS -> ResultReason.OBJECT_ALREADY_EXISTS;
      case BAD_TAG, BAD_PADDING, INVALID_PUBLIC_KEY, INVALID_KEY_MATERIAL ->
          ResultReason.CRYPTOGRAPHIC_FAILURE;
      case INVALID_PARAMETER, INVALID_INPUT_LENGTH, INPUT_TOO_LARGE, NOT_APPROVED ->
          ResultReason.INVALID_FIELD;
      default -> ResultReason.GENERAL_FAILURE;
    };
  }

  private static List<Ttlv> discoverVersions(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.PROTOCOL_VERSION));
    List<ProtocolVersion> asked = new ArrayList<>();
    for (Ttlv v : payload.all(Tag.PROTOCOL_VERSION)) {
      Struct s = Struct.of(v, "Protocol Version");
      asked.add(
          new ProtocolVersion(
              s.integer(Tag.PROTOCOL_VERSION_MAJOR, "Protocol Version Major"),
              s.integer(Tag.PROTOCOL_VERSION_MINOR, "Protocol Version Minor")));
    }
    List<Ttlv> out = new ArrayList<>();
    for (ProtocolVersion v : ProtocolVersion.SUPPORTED) {
      if (asked.isEmpty() || asked.contains(v)) {
        out.add(v.toTtlv());
      }
    }
    return out;
  }

  private List<Ttlv> query(Struct payload, Batch batch) throws KmipException {
    payload.only(Set.of(Tag.QUERY_FUNCTION));
    List<Ttlv> out = new ArrayList<>();
    for (Ttlv f : payload.all(Tag.QUERY_FUNCTION)) {
      if (f.type() != ItemType.ENUMERATION) {
        throw new KmipException(ResultReason.INVALID_FIELD, "a Query Function is an enumeration");
      }
      long function = f.enumeration();
      if (function == 1) { // Query Operations
        handlers.keySet().stream()
            .sorted()
            .forEach(op -> out.add(Ttlv.enumeration(Tag.OPERATION, op)));
      } else if (function == 2) { // Query Objects
        for (int type :
            List.of(KmipObject.SYMMETRIC_KEY, KmipObject.PUBLIC_KEY, KmipObject.PRIVATE_KEY)) {
          out.add(Ttlv.enumeration(Tag.OBJECT_TYPE, type));
        }
      } else if (function == 3) { // Query Server Information
        out.add(Ttlv.text(Tag.VENDOR_IDENTIFICATION, "ihsm, an open integrated HSM"));
        out.add(Ttlv.structure(Tag.SERVER_INFORMATION));
      }
      // Other query functions have nothing to report here (KMIP: answer what applies).
    }
    return out;
  }
}
