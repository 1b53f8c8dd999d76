package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.ImportKeyRequest;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.KeyStateChange;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.key.RotatedKey;
import io.ihsm.ddi.key.UnwrapKeyRequest;
import io.ihsm.ddi.key.Verified;
import io.ihsm.ddi.key.WrapKeyRequest;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.firmware.keys.KeyOperations;
import io.ihsm.firmware.keys.KeyService;
import java.util.EnumMap;
import java.util.Map;

/**
 * Handlers for keys and the operations that use them; all in a user session on a partition port.
 */
public final class KeyHandlers {
  private KeyHandlers() {}

  public static Map<Opcode, Handler> create(KeyService keys, KeyOperations ops) {
    Map<Opcode, Handler> h = new EnumMap<>(Opcode.class);
    h.put(
        Opcode.GENERATE_KEY,
        (ctx, body) -> {
          GenerateKeyRequest request = GenerateKeyRequest.read(body);
          return newKey(
              keys.generate(
                  ctx.port(),
                  ctx.userSessionId(),
                  request.attributes(),
                  request.length(),
                  request.activation()));
        });
    h.put(
        Opcode.UNMASK_KEY,
        (ctx, body) -> {
          byte[] blob = Bytes.readBlob(body).bytes();
          return Reply.approved(keys.unmask(ctx.port(), ctx.userSessionId(), blob));
        });
    h.put(
        Opcode.UNLOAD_KEY,
        (ctx, body) -> {
          int handle = Id.read(body).value();
          keys.unload(ctx.port(), ctx.userSessionId(), handle);
          return Reply.approved(Empty.INSTANCE);
        });
    h.put(
        Opcode.ROTATE_KEY,
        (ctx, body) -> {
          int handle = Id.read(body).value();
          RotatedKey rotated = keys.rotate(ctx.port(), ctx.userSessionId(), handle);
          return Reply.audited(
              rotated,
              "key="
                  + rotated.previous().lifecycle()
                  + " next="
                  + rotated.next().lifecycle()
                  + " label="
                  + rotated.next().attributes().label());
        });
    h.put(
        Opcode.SET_KEY_STATE,
        (ctx, body) -> {
          KeyStateChange change = KeyStateChange.read(body);
          KeyInfo changed = keys.setState(ctx.port(), ctx.userSessionId(), change);
          return Reply.audited(
              changed,
              "key="
                  + changed.lifecycle()
                  + " label="
                  + changed.attributes().label()
                  + (change.date() != 0 ? " date=" + change.date() : ""));
        });
    h.put(
        Opcode.SIGN,
        (ctx, body) -> {
          Operation op = Operation.read(body);
          requireNoSignature(op);
          return new Reply(
              new Bytes(ops.sign(keys.find(ctx.port(), ctx.userSessionId(), op.handle()), op)),
              KeyOperations.approved(op, false));
        });
    h.put(
        Opcode.VERIFY,
        (ctx, body) -> {
          Operation op = Operation.read(body);
          return new Reply(
              new Verified(ops.verify(keys.find(ctx.port(), ctx.userSessionId(), op.handle()), op)),
              KeyOperations.approved(op, false));
        });
    h.put(
        Opcode.ENCRYPT,
        (ctx, body) -> {
          Operation op = Operation.read(body);
          requireNoSignature(op);
          return new Reply(
              ops.encrypt(keys.find(ctx.port(), ctx.userSessionId(), op.handle()), op),
              KeyOperations.approved(op, true));
        });
    h.put(
        Opcode.DECRYPT,
        (ctx, body) -> {
          Operation op = Operation.read(body);
          requireNoSignature(op);
          return Reply.approved(
              new Bytes(ops.decrypt(keys.find(ctx.port(), ctx.userSessionId(), op.handle()), op)));
        });
    h.put(
        Opcode.GET_UNWRAPPING_KEY,
        (ctx, body) -> {
          Empty.read(body);
          return Reply.approved(new Bytes(keys.unwrappingPublicKey(ctx.port())));
        });
    h.put(
        Opcode.IMPORT_KEY,
        (ctx, body) -> {
          ImportKeyRequest r = ImportKeyRequest.read(body);
          return newKey(
              keys.importWrapped(
                  ctx.port(), ctx.userSessionId(), r.attributes(), r.material(), r.activation()));
        });
    h.put(
        Opcode.IMPORT_PUBLIC_KEY,
        (ctx, body) -> {
          ImportKeyRequest r = ImportKeyRequest.read(body);
          return newKey(
              keys.importPublic(
                  ctx.port(), ctx.userSessionId(), r.attributes(), r.material(), r.activation()));
        });
    h.put(
        Opcode.WRAP_KEY,
        (ctx, body) -> {
          WrapKeyRequest r = WrapKeyRequest.read(body);
          return Reply.approved(new Bytes(keys.wrap(ctx.port(), ctx.userSessionId(), r)));
        });
    h.put(
        Opcode.UNWRAP_KEY,
        (ctx, body) -> {
          UnwrapKeyRequest r = UnwrapKeyRequest.read(body);
          return newKey(keys.unwrap(ctx.port(), ctx.userSessionId(), r));
        });
    h.put(
        Opcode.DERIVE_KEY,
        (ctx, body) -> {
          DeriveKeyRequest r = DeriveKeyRequest.read(body);
          return newKey(keys.derive(ctx.port(), ctx.userSessionId(), r));
        });
    return h;
  }

  /** A key made or brought in: its audit entry names it (version, id, state, kind, label). */
  private static Reply newKey(KeyInfo key) {
    return Reply.audited(
        key,
        "key="
            + key.lifecycle()
            + " kind="
            + key.attributes().kind().textName()
            + " label="
            + key.attributes().label());
  }

  private static void requireNoSignature(Operation op) throws DdiException {
    if (op.signature().length != 0) {
      throw new DdiException(Status.INVALID_PARAMETER, "only verification takes a signature");
    }
  }
}
