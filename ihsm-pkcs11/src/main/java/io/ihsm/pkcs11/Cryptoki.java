package io.ihsm.pkcs11;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.pkcs11.mechanism.Mechanisms;
import io.ihsm.pkcs11.mechanism.Operations;
import io.ihsm.pkcs11.mechanism.Statuses;
import io.ihsm.pkcs11.object.P11Object;
import io.ihsm.pkcs11.wire.MechanismSpec;
import io.ihsm.pkcs11.wire.Native;
import io.ihsm.pkcs11.wire.Request;
import io.ihsm.pkcs11.wire.Response;
import io.ihsm.pkcs11.wire.Template;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The PKCS#11 logic, one method per function: slots, sessions, login and objects here; operations
 * in {@link OperationFunctions}, key management in {@link KeyFunctions}. The C module only
 * marshals; every decision (and every CKR_* it returns) is made on this side. Called from one
 * thread (the C module serializes calls), so it keeps plain state.
 */
final class Cryptoki {
  private final List<Token> tokens;
  private final Supplier<IhsmClient> device;
  private final int maxPinFailures;
  private final BridgeLog log;
  private final Map<Long, Session> sessions = new LinkedHashMap<>();
  private final ObjectHandles handles = new ObjectHandles();
  private final KeyFunctions keys = new KeyFunctions(handles);
  private final OperationFunctions operations = new OperationFunctions(handles, this::approvedOnly);
  private long nextSession = 1;

  Cryptoki(List<Token> tokens, Supplier<IhsmClient> device, int maxPinFailures) {
    this(tokens, device, maxPinFailures, BridgeLog.service());
  }

  /** Refusals go to the application's log; with trace, every call's name and outcome too. */
  Cryptoki(List<Token> tokens, Supplier<IhsmClient> device, int maxPinFailures, BridgeLog log) {
    this.tokens = tokens;
    this.device = device;
    this.maxPinFailures = maxPinFailures;
    this.log = log;
  }

  /** Serves one call; any refusal becomes its CKR_* with no outputs. */
  byte[] call(Function f, Request in) {
    try {
      Response r = dispatch(f, in);
      if (log.trace()) {
        log.line(f + ": ok");
      }
      return r.toBytes();
    } catch (CkException e) {
      log.line(f + ": " + Long.toHexString(e.rv()) + " " + e.getMessage());
      return new Response(e.rv()).toBytes();
    } catch (IhsmException e) {
      CkException c = Statuses.of(e);
      log.line(f + ": " + Long.toHexString(c.rv()) + " " + c.getMessage());
      return new Response(c.rv()).toBytes();
    }
  }

  private Response dispatch(Function f, Request in) {
    return switch (f) {
      case GET_SLOT_LIST -> slotList(in.flag(), in.output());
      case GET_SLOT_INFO -> slotInfo(token(in.ulong()));
      case GET_TOKEN_INFO -> tokenInfo(presentToken(in.ulong()));
      case GET_MECHANISM_LIST -> mechanismList(presentToken(in.ulong()), in.output());
      case GET_MECHANISM_INFO -> mechanismInfo(presentToken(in.ulong()), in.ulong());
      case INIT_TOKEN -> initToken(presentToken(in.ulong()), in.bytes(), in.bytes());
      case INIT_PIN -> initPin(session(in.ulong()), in.bytes());
      case SET_PIN -> setPin(session(in.ulong()), in.bytes(), in.bytes());
      case OPEN_SESSION -> openSession(presentToken(in.ulong()), in.ulong());
      case CLOSE_SESSION -> closeSession(session(in.ulong()));
      case CLOSE_ALL_SESSIONS -> closeAll(token(in.ulong()));
      case GET_SESSION_INFO -> sessionInfo(session(in.ulong()));
      case LOGIN -> login(session(in.ulong()), in.ulong(), in.bytes());
      case LOGIN_USER -> {
        Session s = session(in.ulong());
        long user = in.ulong();
        byte[] pin = in.bytes();
        in.bytes(); // a user name: partitions have one user
        yield login(s, user, pin);
      }
      case LOGOUT -> logout(session(in.ulong()));
      case CREATE_OBJECT -> createObject(session(in.ulong()), in.template());
      case COPY_OBJECT -> copyObject(session(in.ulong()), in.ulong(), in.template());
      case DESTROY_OBJECT -> destroyObject(session(in.ulong()), in.ulong());
      case GET_OBJECT_SIZE -> {
        Session s = session(in.ulong());
        handles.object(s, in.ulong());
        yield Response.ok().ulong(UNAVAILABLE);
      }
      case GET_ATTRIBUTE_VALUE -> getAttributes(session(in.ulong()), in.ulong(), in.query());
      case SET_ATTRIBUTE_VALUE -> setAttributes(session(in.ulong()), in.ulong(), in.template());
      case FIND_OBJECTS_INIT -> findInit(session(in.ulong()), in.template());
      case FIND_OBJECTS -> findNext(session(in.ulong()), in.ulong());
      case FIND_OBJECTS_FINAL -> {
        session(in.ulong()).endFind();
        yield Response.ok();
      }
      case ENCRYPT_INIT, DECRYPT_INIT, SIGN_INIT, VERIFY_INIT ->
          operations.init(f, session(in.ulong()), in.mechanism(), in.ulong());
      case DIGEST_INIT -> {
        Session s = session(in.ulong());
        s.start(Session.Kind.DIGEST, new Session.Active(Operations.digest(in.mechanism()), null));
        yield Response.ok();
      }
      case ENCRYPT -> operations.single(session(in.ulong()), Session.Kind.ENCRYPT, in);
      case DECRYPT -> operations.single(session(in.ulong()), Session.Kind.DECRYPT, in);
      case DIGEST -> operations.single(session(in.ulong()), Session.Kind.DIGEST, in);
      case SIGN -> operations.single(session(in.ulong()), Session.Kind.SIGN, in);
      case ENCRYPT_UPDATE -> operations.update(session(in.ulong()), Session.Kind.ENCRYPT, in, true);
      case DECRYPT_UPDATE -> operations.update(session(in.ulong()), Session.Kind.DECRYPT, in, true);
      case DIGEST_UPDATE -> operations.update(session(in.ulong()), Session.Kind.DIGEST, in, false);
      case SIGN_UPDATE -> operations.update(session(in.ulong()), Session.Kind.SIGN, in, false);
      case VERIFY_UPDATE -> operations.update(session(in.ulong()), Session.Kind.VERIFY, in, false);
      case ENCRYPT_FINAL -> operations.finish(session(in.ulong()), Session.Kind.ENCRYPT, in);
      case DECRYPT_FINAL -> operations.finish(session(in.ulong()), Session.Kind.DECRYPT, in);
      case DIGEST_FINAL -> operations.finish(session(in.ulong()), Session.Kind.DIGEST, in);
      case SIGN_FINAL -> operations.finish(session(in.ulong()), Session.Kind.SIGN, in);
      case DIGEST_KEY -> {
        Session s = session(in.ulong());
        s.active(Session.Kind.DIGEST);
        s.end(Session.Kind.DIGEST);
        throw new CkException(
            CKR_FUNCTION_NOT_SUPPORTED,
            "key values never leave the device, not even into a digest");
      }
      case VERIFY -> operations.verify(session(in.ulong()), in, false);
      case VERIFY_FINAL -> operations.verify(session(in.ulong()), in, true);
      case GENERATE_KEY -> keys.generateKey(session(in.ulong()), in.mechanism(), in.template());
      case GENERATE_KEY_PAIR -> {
        Session s = session(in.ulong());
        MechanismSpec m = in.mechanism();
        Template pub = in.template();
        yield keys.generateKeyPair(s, m, pub, in.template());
      }
      case WRAP_KEY -> {
        Session s = session(in.ulong());
        MechanismSpec m = in.mechanism();
        long wrapping = in.ulong();
        long key = in.ulong();
        yield keys.wrapKey(s, m, wrapping, key, in.output());
      }
      case UNWRAP_KEY -> {
        Session s = session(in.ulong());
        MechanismSpec m = in.mechanism();
        long unwrapping = in.ulong();
        byte[] wrapped = in.bytes();
        yield keys.unwrapKey(s, m, unwrapping, wrapped, in.template());
      }
      case DERIVE_KEY -> {
        Session s = session(in.ulong());
        MechanismSpec m = in.mechanism();
        long base = in.ulong();
        yield keys.deriveKey(s, m, base, in.template());
      }
      case ENCAPSULATE_KEY -> {
        Session s = session(in.ulong());
        MechanismSpec m = in.mechanism();
        long publicKey = in.ulong();
        Template t = in.template();
        yield keys.encapsulateKey(s, m, publicKey, t, in.output());
      }
      case DECAPSULATE_KEY -> {
        Session s = session(in.ulong());
        MechanismSpec m = in.mechanism();
        long privateKey = in.ulong();
        Template t = in.template();
        yield keys.decapsulateKey(s, m, privateKey, in.bytes(), t);
      }
      case SEED_RANDOM -> {
        session(in.ulong());
        throw new CkException(
            CKR_RANDOM_SEED_NOT_SUPPORTED, "the device's DRBG takes no seed from callers");
      }
      case GENERATE_RANDOM -> random(session(in.ulong()), in.ulong());
      case SESSION_CANCEL -> {
        Session s = session(in.ulong());
        in.ulong();
        s.endAll();
        yield Response.ok();
      }
      case FINALIZE -> {
        finish();
        yield Response.ok();
      }
      case INITIALIZE -> Response.ok();
    };
  }

  /** Closes every session and logs out of every token (C_Finalize, or the C side going away). */
  void finish() {
    for (Session s : List.copyOf(sessions.values())) {
      closeSession(s);
    }
    tokens.forEach(Token::close);
  }

  // ---- slots and tokens

  private Response slotList(boolean tokenPresent, Request.OutputBuffer out) {
    List<Long> ids = new ArrayList<>();
    boolean reachable = !tokenPresent || deviceReachable();
    for (Token t : tokens) {
      if (reachable) {
        ids.add(t.slotId);
      }
    }
    return list(ids.stream().mapToLong(Long::longValue).toArray(), out);
  }

  private Response slotInfo(Token t) {
    long flags = CKF_HW_SLOT | (deviceReachable() ? CKF_TOKEN_PRESENT : 0);
    return Response.ok()
        .text("ihsm partition " + t.partition)
        .text("ihsm")
        .ulong(flags)
        .u8(1)
        .u8(0)
        .u8(0)
        .u8(1);
  }

  private Response tokenInfo(Token t) {
    long flags =
        CKF_RNG
            | CKF_LOGIN_REQUIRED
            | (t.userPinSet() ? CKF_USER_PIN_INITIALIZED : 0)
            | CKF_TOKEN_INITIALIZED
            | t.pinFlags(maxPinFailures);
    String serial = deviceSerial();
    long open = sessions.values().stream().filter(s -> s.token == t).count();
    long rw = sessions.values().stream().filter(s -> s.token == t && s.readWrite).count();
    return Response.ok()
        .text(t.label())
        .text("ihsm")
        .text("ihsm partition")
        .text(serial)
        .ulong(flags)
        .ulong(0)
        .ulong(open)
        .ulong(0)
        .ulong(rw)
        .ulong(64)
        .ulong(4)
        .ulong(UNAVAILABLE)
        .ulong(UNAVAILABLE)
        .ulong(UNAVAILABLE)
        .ulong(UNAVAILABLE)
        .u8(1)
        .u8(0)
        .u8(0)
        .u8(1)
        .text("");
  }

  /**
   * What the device serves now: in approved-only mode, not the mechanisms the policy refuses (SHA-1
   * signing).
   */
  private Response mechanismList(Token t, Request.OutputBuffer out) {
    return list(approvedOnly() ? Mechanisms.approvedTypes() : Mechanisms.types(), out);
  }

  private Response mechanismInfo(Token t, long type) {
    Mechanisms.Info i = Mechanisms.info(type);
    if (i == null) {
      throw new CkException(
          CKR_MECHANISM_INVALID, "mechanism 0x" + Long.toHexString(type) + " is not offered");
    }
    return Response.ok().ulong(i.minKeySize()).ulong(i.maxKeySize()).ulong(i.flags());
  }

  // ---- sessions and login

  private Response openSession(Token t, long flags) {
    if ((flags & CKF_SERIAL_SESSION) == 0) {
      throw new CkException(CKR_SESSION_PARALLEL_NOT_SUPPORTED, "CKF_SERIAL_SESSION must be set");
    }
    if (t.soLoggedIn() && (flags & CKF_RW_SESSION) == 0) {
      throw new CkException(
          CKR_SESSION_READ_WRITE_SO_EXISTS,
          "the security officer is logged in: read/write sessions only");
    }
    long h = nextSession++;
    sessions.put(h, new Session(h, t, (flags & CKF_RW_SESSION) != 0));
    return Response.ok().ulong(h);
  }

  private Response closeSession(Session s) {
    s.endAll();
    sessions.remove(s.handle);
    s.token.closeSession(s.handle);
    if (sessions.values().stream().noneMatch(x -> x.token == s.token)) {
      s.token.close(); // the last session closing logs the user out
    }
    return Response.ok();
  }

  private Response closeAll(Token t) {
    for (Session s : List.copyOf(sessions.values())) {
      if (s.token == t) {
        closeSession(s);
      }
    }
    t.close();
    return Response.ok();
  }

  private Response sessionInfo(Session s) {
    return Response.ok()
        .ulong(s.token.slotId)
        .ulong(s.state())
        .ulong(CKF_SERIAL_SESSION | (s.readWrite ? CKF_RW_SESSION : 0))
        .ulong(0);
  }

  private Response login(Session s, long user, byte[] pin) {
    if (user == CKU_CONTEXT_SPECIFIC) {
      throw new CkException(
          CKR_OPERATION_NOT_INITIALIZED, "no key here needs a context-specific login");
    }
    if (user != CKU_USER && user != CKU_SO) {
      throw new CkException(CKR_USER_TYPE_INVALID, "unknown user type " + user);
    }
    if (pin == null) {
      throw new CkException(
          CKR_ARGUMENTS_BAD, "there is no protected authentication path: give the PIN");
    }
    try {
      if (pin.length < 4 || pin.length > 64) {
        throw new CkException(CKR_PIN_LEN_RANGE, "PINs are 4 to 64 bytes");
      }
      if (user == CKU_SO) {
        if (sessions.values().stream().anyMatch(x -> x.token == s.token && !x.readWrite)) {
          throw new CkException(
              CKR_SESSION_READ_ONLY_EXISTS,
              "the security officer logs in with read/write sessions only");
        }
        s.token.soLogin(pin);
      } else {
        s.token.login(pin);
      }
      return Response.ok();
    } finally {
      Arrays.fill(pin, (byte) 0);
    }
  }

  private Response logout(Session s) {
    s.token.logout();
    sessions.values().stream().filter(x -> x.token == s.token).forEach(Session::endAll);
    return Response.ok();
  }

  /**
   * C_InitToken: the security officer (the partition owner, by the SO PIN) re-initialises the
   * partition; refused while any session of this token is open (PKCS#11 3.0 §5.4.1).
   */
  private Response initToken(Token t, byte[] soPin, byte[] label) {
    try {
      if (soPin == null || label == null) {
        throw new CkException(
            CKR_ARGUMENTS_BAD, "C_InitToken takes the SO PIN and a 32-byte label");
      }
      if (soPin.length < 4 || soPin.length > 64) {
        throw new CkException(CKR_PIN_LEN_RANGE, "PINs are 4 to 64 bytes");
      }
      if (sessions.values().stream().anyMatch(x -> x.token == t)) {
        throw new CkException(
            CKR_SESSION_EXISTS, "close every session of " + t.partition + " before C_InitToken");
      }
      t.initToken(soPin, Token.labelOf(label));
      return Response.ok();
    } finally {
      if (soPin != null) {
        Arrays.fill(soPin, (byte) 0);
      }
    }
  }

  private Response initPin(Session s, byte[] newPin) {
    try {
      if (newPin == null) {
        throw new CkException(
            CKR_ARGUMENTS_BAD, "there is no protected authentication path: give the new PIN");
      }
      if (newPin.length < 4 || newPin.length > 64) {
        throw new CkException(CKR_PIN_LEN_RANGE, "PINs are 4 to 64 bytes");
      }
      s.token.initPin(newPin);
      return Response.ok();
    } finally {
      if (newPin != null) {
        Arrays.fill(newPin, (byte) 0);
      }
    }
  }

  private Response setPin(Session s, byte[] oldPin, byte[] newPin) {
    try {
      if (!s.readWrite) {
        throw new CkException(CKR_SESSION_READ_ONLY, "C_SetPIN needs a read/write session");
      }
      if (oldPin == null || newPin == null) {
        throw new CkException(
            CKR_ARGUMENTS_BAD, "there is no protected authentication path: give both PINs");
      }
      if (s.token.soLoggedIn()) {
        throw new CkException(
            CKR_FUNCTION_NOT_SUPPORTED,
            "the SO PIN is the owner key file's password: re-encrypt the file to change it (docs/pkcs11.md)");
      }
      if (newPin.length < 4 || newPin.length > 64) {
        throw new CkException(CKR_PIN_LEN_RANGE, "PINs are 4 to 64 bytes");
      }
      s.token.setPin(oldPin, newPin);
      return Response.ok();
    } finally {
      for (byte[] pin : new byte[][] {oldPin, newPin}) {
        if (pin != null) {
          Arrays.fill(pin, (byte) 0);
        }
      }
    }
  }

  // ---- objects

  private Response createObject(Session s, Template t) {
    Long cls = t.ulong(CKA_CLASS);
    if (cls == null) {
      throw new CkException(CKR_TEMPLATE_INCOMPLETE, "C_CreateObject needs CKA_CLASS");
    }
    P11Object o = StorageObjects.create(cls, t, ObjectHandles.newRecordId(), ownerOf(s, t));
    s.requireWritable(o);
    s.token.save(o);
    return Response.ok().ulong(handles.handle(s.token, o));
  }

  private Response copyObject(Session s, long handle, Template t) {
    P11Object o = handles.object(s, handle);
    if (!o.bool(CKA_COPYABLE)) {
      throw new CkException(CKR_ACTION_PROHIBITED, "this object cannot be copied");
    }
    Map<Long, byte[]> changes = StorageObjects.changes(o, t, true);
    boolean token =
        changes.containsKey(CKA_TOKEN) ? Native.toBool(changes.get(CKA_TOKEN)) : o.isTokenObject();
    P11Object copy = o.with(ObjectHandles.newRecordId(), token ? 0 : s.handle, changes);
    s.requireWritable(copy);
    s.token.save(copy);
    return Response.ok().ulong(handles.handle(s.token, copy));
  }

  private Response destroyObject(Session s, long handle) {
    P11Object o = handles.object(s, handle);
    s.requireWritable(o);
    if (!o.bool(CKA_DESTROYABLE)) {
      throw new CkException(CKR_ACTION_PROHIBITED, "this object cannot be destroyed");
    }
    s.token.destroy(o);
    handles.forget(s.token, o, handle);
    return Response.ok();
  }

  private Response getAttributes(Session s, long handle, List<Request.AttributeQuery> query) {
    P11Object o = handles.object(s, handle);
    long rv = CKR_OK;
    List<AttributeAnswer> answers = new ArrayList<>(); // written after the rv is known
    for (Request.AttributeQuery q : query) {
      byte[] v = o.get(q.type());
      if (o.isSensitive(q.type())) {
        answers.add(new AttributeAnswer(UNAVAILABLE, null));
        rv = rv == CKR_OK ? CKR_ATTRIBUTE_SENSITIVE : rv;
      } else if (v == null) {
        answers.add(new AttributeAnswer(UNAVAILABLE, null));
        rv = rv == CKR_OK ? CKR_ATTRIBUTE_TYPE_INVALID : rv;
      } else if (!q.present()) {
        answers.add(new AttributeAnswer(v.length, null));
      } else if (Long.compareUnsigned(q.capacity(), v.length) < 0) {
        answers.add(new AttributeAnswer(UNAVAILABLE, null));
        rv = rv == CKR_OK ? CKR_BUFFER_TOO_SMALL : rv;
      } else {
        answers.add(new AttributeAnswer(v.length, v));
      }
    }
    Response r = new Response(rv).u32(answers.size());
    for (AttributeAnswer a : answers) {
      r.ulong(a.length()).bytes(a.value());
    }
    return r;
  }

  /**
   * One attribute's answer: its length (or CK_UNAVAILABLE_INFORMATION), and its value when copied.
   */
  private record AttributeAnswer(long length, byte[] value) {}

  private Response setAttributes(Session s, long handle, Template t) {
    P11Object o = handles.object(s, handle);
    if (!o.bool(CKA_MODIFIABLE)) {
      throw new CkException(CKR_ACTION_PROHIBITED, "this object cannot be modified");
    }
    s.requireWritable(o);
    Map<Long, byte[]> changes = StorageObjects.changes(o, t, false);
    if (!changes.isEmpty()) {
      if (o.isTokenObject() && o.deviceLabel() != null) {
        // A view of a key made elsewhere becomes a record: record its partner view too, so it
        // stays.
        for (P11Object x : s.token.objects()) {
          if (o.deviceLabel().equals(x.deviceLabel())
              && !x.recordId().equals(o.recordId())
              && x.isTokenObject()) {
            s.token.save(x);
          }
        }
      }
      s.token.save(o.with(o.recordId(), o.ownerSession(), changes));
    }
    return Response.ok();
  }

  private Response findInit(Session s, Template t) {
    Map<Long, byte[]> wanted = new LinkedHashMap<>();
    for (Template.Attribute a : t.attributes()) {
      wanted.put(a.type(), a.value() == null ? new byte[0] : a.value());
    }
    List<Long> found = new ArrayList<>();
    for (P11Object o : handles.visible(s)) {
      if (o.matches(wanted)) {
        found.add(handles.handle(s.token, o));
      }
    }
    s.startFind(found);
    return Response.ok();
  }

  private Response findNext(Session s, long max) {
    if (max < 0 || max > 100_000) {
      throw new CkException(CKR_ARGUMENTS_BAD, "ulMaxObjectCount out of range");
    }
    List<Long> next = s.nextFound(max);
    Response r = Response.ok().u32(next.size());
    next.forEach(r::ulong);
    return r;
  }

  // ---- random

  private Response random(Session s, long length) {
    if (length < 0 || length > Session.MAX_INPUT) {
      throw new CkException(
          CKR_ARGUMENTS_BAD, "at most " + Session.MAX_INPUT + " random bytes per call");
    }
    byte[] out = new byte[(int) length];
    IhsmClient d = device.get();
    for (int at = 0; at < out.length; at += 1024) {
      int n = Math.min(1024, out.length - at);
      byte[] part = Statuses.call(() -> d.randomBytes(n));
      System.arraycopy(part, 0, out, at, n);
    }
    return Response.ok().bytes(out);
  }

  // ---- lookups

  private Token token(long slot) {
    return tokens.stream()
        .filter(t -> t.slotId == slot)
        .findFirst()
        .orElseThrow(() -> new CkException(CKR_SLOT_ID_INVALID, "no slot " + slot));
  }

  private Token presentToken(long slot) {
    Token t = token(slot);
    if (!deviceReachable()) {
      throw new CkException(CKR_TOKEN_NOT_PRESENT, "the daemon does not answer");
    }
    return t;
  }

  private Session session(long handle) {
    Session s = sessions.get(handle);
    if (s == null) {
      throw new CkException(CKR_SESSION_HANDLE_INVALID, "no session " + handle);
    }
    return s;
  }

  private static long ownerOf(Session s, Template t) {
    return t.bool(CKA_TOKEN, false) ? 0 : s.handle;
  }

  private boolean approvedOnly() {
    return Statuses.call(() -> device.get().deviceStatus().approvedMode());
  }

  private boolean deviceReachable() {
    try {
      device.get().deviceStatus();
      return true;
    } catch (IhsmException | CkException e) {
      return false;
    }
  }

  private String deviceSerial() {
    try {
      String serial = device.get().deviceInfo().serialNumber();
      return serial.length() > 16 ? serial.substring(serial.length() - 16) : serial;
    } catch (IhsmException e) {
      throw Statuses.of(e);
    }
  }

  /**
   * A list answer (slots, mechanisms): the count always, the items only when the caller's array
   * holds them.
   */
  private static Response list(long[] items, Request.OutputBuffer out) {
    if (out.present() && Long.compareUnsigned(out.capacity(), items.length) < 0) {
      return new Response(CKR_BUFFER_TOO_SMALL).ulong(items.length).u32(0);
    }
    Response r = Response.ok().ulong(items.length).u32(out.present() ? items.length : 0);
    if (out.present()) {
      for (long i : items) {
        r.ulong(i);
      }
    }
    return r;
  }
}
