package io.ihsm.pkcs11;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.pkcs11.object.P11Object;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Object handles: one per object for the life of the bridge, so a handle keeps naming the same
 * object across calls and sessions. A handle resolves only to an object its session may see.
 */
final class ObjectHandles {
  private static final SecureRandom IDS = new SecureRandom();
  private final Map<String, Long> handleByObject = new HashMap<>();
  private final Map<Long, String> objectByHandle = new HashMap<>();
  private long next = 1;

  /**
   * The objects a session sees: public ones, private ones once the user is logged in; session
   * objects of the process.
   */
  List<P11Object> visible(Session s) {
    boolean user = s.token.loggedIn();
    return s.token.objects().stream().filter(o -> user || !o.isPrivate()).toList();
  }

  P11Object object(Session s, long handle) {
    String id = objectByHandle.get(handle);
    if (id != null) {
      for (P11Object o : visible(s)) {
        if (identity(s.token, o).equals(id)) {
          return o;
        }
      }
    }
    throw new CkException(
        CKR_OBJECT_HANDLE_INVALID, "no object " + handle + " in this session's view");
  }

  /** A key object; anything else (or nothing) is CKR_KEY_HANDLE_INVALID. */
  P11Object key(Session s, long handle) {
    try {
      P11Object o = object(s, handle);
      long c = o.objectClass();
      if (c != CKO_PRIVATE_KEY && c != CKO_PUBLIC_KEY && c != CKO_SECRET_KEY) {
        throw new CkException(CKR_KEY_HANDLE_INVALID, "object " + handle + " is not a key");
      }
      return o;
    } catch (CkException e) {
      throw e.rv() == CKR_OBJECT_HANDLE_INVALID
          ? new CkException(CKR_KEY_HANDLE_INVALID, e.getMessage())
          : e;
    }
  }

  long handle(Token t, P11Object o) {
    return handleByObject.computeIfAbsent(
        identity(t, o),
        id -> {
          long h = next++;
          objectByHandle.put(h, id);
          return h;
        });
  }

  /** Files a new object with its token and gives it a handle. */
  long keep(Session s, P11Object o) {
    s.token.save(o);
    return handle(s.token, o);
  }

  /** Forgets a destroyed object's handle. */
  void forget(Token t, P11Object o, long handle) {
    objectByHandle.remove(handle);
    handleByObject.remove(identity(t, o));
  }

  /** A record id for a new object: random, so processes sharing a store do not collide. */
  static String newRecordId() {
    byte[] b = new byte[16];
    IDS.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String identity(Token t, P11Object o) {
    return t.slotId + "/" + o.recordId();
  }
}
