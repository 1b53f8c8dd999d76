package io.ihsm.pkcs11;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyAttributes;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.pkcs11.mechanism.Mechanisms;
import io.ihsm.pkcs11.mechanism.Operations;
import io.ihsm.pkcs11.mechanism.Statuses;
import io.ihsm.pkcs11.object.KeyObjects;
import io.ihsm.pkcs11.object.P11Object;
import io.ihsm.pkcs11.wire.MechanismSpec;
import io.ihsm.pkcs11.wire.Native;
import io.ihsm.pkcs11.wire.Request;
import io.ihsm.pkcs11.wire.Response;
import io.ihsm.pkcs11.wire.Template;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The PKCS#11 logic: slots, sessions, login, objects and operations, one method per function.
 * The C module only marshals; every decision (and every CKR_* it returns) is made here. Called
 * from one thread (the C module serializes calls), so it keeps plain state.
 */
final class Cryptoki {
  private static final SecureRandom IDS = new SecureRandom();
  /** IHSM_PKCS11_TRACE=1 logs every call's name and outcome (never its arguments). */
  private static final boolean TRACE = "1".equals(System.getenv("IHSM_PKCS11_TRACE"));
  private final List<Token> tokens;
  private final Supplier<IhsmClient> device;
  private final int maxPinFailures;
  private final Map<Long, Session> sessions = new LinkedHashMap<>();
  private final Map<String, Long> handleByObject = new HashMap<>();
  private final Map<Long, String> objectByHandle = new HashMap<>();
  private long nextSession = 1;
  private long nextObject = 1;

  Cryptoki(List<Token> tokens, Supplier<IhsmClient> device, int maxPinFailures) {
    this.tokens = tokens;
    this.device = device;
    this.maxPinFailures = maxPinFailures;
  }

  /** Serves one call; any refusal becomes its CKR_* with no outputs. */
  byte[] call(Function f, Request in) {
    try {
      Response r = dispatch(f, in);
      if (TRACE) {
        Bridge.log(f + ": ok");
      }
      return r.toBytes();
    } catch (CkException e) {
      Bridge.log(f + ": " + Long.toHexString(e.rv()) + " " + e.getMessage());
      return new Response(e.rv()).toBytes();
    } catch (IhsmException e) {
      CkException c = Statuses.of(e);
      Bridge.log(f + ": " + Long.toHexString(c.rv()) + " " + c.getMessage());
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
      case INIT_TOKEN -> throw new CkException(CKR_FUNCTION_NOT_SUPPORTED,
          "tokens are partitions, made by the Crypto Officer and provisioned by their owner (ihsm partition create)");
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
        object(s, in.ulong());
        yield ok().ulong(UNAVAILABLE);
      }
      case GET_ATTRIBUTE_VALUE -> getAttributes(session(in.ulong()), in.ulong(), in.query());
      case SET_ATTRIBUTE_VALUE -> setAttributes(session(in.ulong()), in.ulong(), in.template());
      case FIND_OBJECTS_INIT -> findInit(session(in.ulong()), in.template());
      case FIND_OBJECTS -> findNext(session(in.ulong()), in.ulong());
      case FIND_OBJECTS_FINAL -> {
        session(in.ulong()).endFind();
        yield ok();
      }
      case ENCRYPT_INIT, DECRYPT_INIT, SIGN_INIT, VERIFY_INIT -> init(f, session(in.ulong()), in.mechanism(), in.ulong());
      case DIGEST_INIT -> {
        Session s = session(in.ulong());
        s.start(Session.Kind.DIGEST, new Session.Active(Operations.digest(in.mechanism()), null));
        yield ok();
      }
      case ENCRYPT -> single(session(in.ulong()), Session.Kind.ENCRYPT, in.bytes(), in.output());
      case DECRYPT -> single(session(in.ulong()), Session.Kind.DECRYPT, in.bytes(), in.output());
      case DIGEST -> single(session(in.ulong()), Session.Kind.DIGEST, in.bytes(), in.output());
      case SIGN -> single(session(in.ulong()), Session.Kind.SIGN, in.bytes(), in.output());
      case ENCRYPT_UPDATE -> update(session(in.ulong()), Session.Kind.ENCRYPT, in.bytes(), in.output());
      case DECRYPT_UPDATE -> update(session(in.ulong()), Session.Kind.DECRYPT, in.bytes(), in.output());
      case DIGEST_UPDATE -> update(session(in.ulong()), Session.Kind.DIGEST, in.bytes(), null);
      case SIGN_UPDATE -> update(session(in.ulong()), Session.Kind.SIGN, in.bytes(), null);
      case VERIFY_UPDATE -> update(session(in.ulong()), Session.Kind.VERIFY, in.bytes(), null);
      case ENCRYPT_FINAL -> finish(session(in.ulong()), Session.Kind.ENCRYPT, in.output());
      case DECRYPT_FINAL -> finish(session(in.ulong()), Session.Kind.DECRYPT, in.output());
      case DIGEST_FINAL -> finish(session(in.ulong()), Session.Kind.DIGEST, in.output());
      case SIGN_FINAL -> finish(session(in.ulong()), Session.Kind.SIGN, in.output());
      case DIGEST_KEY -> {
        Session s = session(in.ulong());
        s.active(Session.Kind.DIGEST);
        s.end(Session.Kind.DIGEST);
        throw new CkException(CKR_FUNCTION_NOT_SUPPORTED, "key values never leave the device, not even into a digest");
      }
      case VERIFY -> {
        Session s = session(in.ulong());
        byte[] data = in.bytes();
        yield verify(s, data, in.bytes(), false);
      }
      case VERIFY_FINAL -> verify(session(in.ulong()), null, in.bytes(), true);
      case GENERATE_KEY -> generateKey(session(in.ulong()), in.mechanism(), in.template());
      case GENERATE_KEY_PAIR -> {
        Session s = session(in.ulong());
        MechanismSpec m = in.mechanism();
        Template pub = in.template();
        yield generateKeyPair(s, m, pub, in.template());
      }
      case WRAP_KEY -> {
        Session s = session(in.ulong());
        MechanismSpec m = in.mechanism();
        long wrapping = in.ulong();
        long key = in.ulong();
        yield wrapKey(s, m, wrapping, key, in.output());
      }
      case UNWRAP_KEY -> {
        Session s = session(in.ulong());
        MechanismSpec m = in.mechanism();
        long unwrapping = in.ulong();
        byte[] wrapped = in.bytes();
        yield unwrapKey(s, m, unwrapping, wrapped, in.template());
      }
      case DERIVE_KEY -> {
        Session s = session(in.ulong());
        MechanismSpec m = in.mechanism();
        long base = in.ulong();
        yield deriveKey(s, m, base, in.template());
      }
      case SEED_RANDOM -> {
        session(in.ulong());
        throw new CkException(CKR_RANDOM_SEED_NOT_SUPPORTED, "the device's DRBG takes no seed from callers");
      }
      case GENERATE_RANDOM -> random(session(in.ulong()), in.ulong());
      case SESSION_CANCEL -> {
        Session s = session(in.ulong());
        in.ulong();
        s.endAll();
        yield ok();
      }
      case FINALIZE -> {
        finish();
        yield ok();
      }
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
    return ok().text("ihsm partition " + t.partition).text("ihsm").ulong(flags).u8(1).u8(0).u8(0).u8(1);
  }

  private Response tokenInfo(Token t) {
    long flags = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED
        | t.pinFlags(maxPinFailures);
    String serial = deviceSerial();
    long open = sessions.values().stream().filter(s -> s.token == t).count();
    long rw = sessions.values().stream().filter(s -> s.token == t && s.readWrite).count();
    return ok().text(t.partition).text("ihsm").text("ihsm partition").text(serial).ulong(flags)
        .ulong(0).ulong(open).ulong(0).ulong(rw).ulong(64).ulong(4)
        .ulong(UNAVAILABLE).ulong(UNAVAILABLE).ulong(UNAVAILABLE).ulong(UNAVAILABLE)
        .u8(1).u8(0).u8(0).u8(1).text("");
  }

  private Response mechanismList(Token t, Request.OutputBuffer out) {
    return list(Mechanisms.types(), out);
  }

  private Response mechanismInfo(Token t, long type) {
    Mechanisms.Info i = Mechanisms.info(type);
    if (i == null) {
      throw new CkException(CKR_MECHANISM_INVALID, "mechanism 0x" + Long.toHexString(type) + " is not offered");
    }
    return ok().ulong(i.minKeySize()).ulong(i.maxKeySize()).ulong(i.flags());
  }

  // ---- sessions and login

  private Response openSession(Token t, long flags) {
    if ((flags & CKF_SERIAL_SESSION) == 0) {
      throw new CkException(CKR_SESSION_PARALLEL_NOT_SUPPORTED, "CKF_SERIAL_SESSION must be set");
    }
    if (t.soLoggedIn() && (flags & CKF_RW_SESSION) == 0) {
      throw new CkException(CKR_SESSION_READ_WRITE_SO_EXISTS, "the security officer is logged in: read/write sessions only");
    }
    long h = nextSession++;
    sessions.put(h, new Session(h, t, (flags & CKF_RW_SESSION) != 0));
    return ok().ulong(h);
  }

  private Response closeSession(Session s) {
    s.endAll();
    sessions.remove(s.handle);
    s.token.closeSession(s.handle);
    if (sessions.values().stream().noneMatch(x -> x.token == s.token)) {
      s.token.close(); // the last session closing logs the user out
    }
    return ok();
  }

  private Response closeAll(Token t) {
    for (Session s : List.copyOf(sessions.values())) {
      if (s.token == t) {
        closeSession(s);
      }
    }
    t.close();
    return ok();
  }

  private Response sessionInfo(Session s) {
    return ok().ulong(s.token.slotId).ulong(s.state()).ulong(CKF_SERIAL_SESSION | (s.readWrite ? CKF_RW_SESSION : 0))
        .ulong(0);
  }

  private Response login(Session s, long user, byte[] pin) {
    if (user == CKU_CONTEXT_SPECIFIC) {
      throw new CkException(CKR_OPERATION_NOT_INITIALIZED, "no key here needs a context-specific login");
    }
    if (user != CKU_USER && user != CKU_SO) {
      throw new CkException(CKR_USER_TYPE_INVALID, "unknown user type " + user);
    }
    if (pin == null) {
      throw new CkException(CKR_ARGUMENTS_BAD, "there is no protected authentication path: give the PIN");
    }
    try {
      if (pin.length < 4 || pin.length > 64) {
        throw new CkException(CKR_PIN_LEN_RANGE, "PINs are 4 to 64 bytes");
      }
      if (user == CKU_SO) {
        if (sessions.values().stream().anyMatch(x -> x.token == s.token && !x.readWrite)) {
          throw new CkException(CKR_SESSION_READ_ONLY_EXISTS, "the security officer logs in with read/write sessions only");
        }
        s.token.soLogin(pin);
      } else {
        s.token.login(pin);
      }
      return ok();
    } finally {
      java.util.Arrays.fill(pin, (byte) 0);
    }
  }

  private Response logout(Session s) {
    s.token.logout();
    sessions.values().stream().filter(x -> x.token == s.token).forEach(Session::endAll);
    return ok();
  }

  private Response initPin(Session s, byte[] newPin) {
    try {
      if (newPin == null) {
        throw new CkException(CKR_ARGUMENTS_BAD, "there is no protected authentication path: give the new PIN");
      }
      if (newPin.length < 4 || newPin.length > 64) {
        throw new CkException(CKR_PIN_LEN_RANGE, "PINs are 4 to 64 bytes");
      }
      s.token.initPin(newPin);
      return ok();
    } finally {
      if (newPin != null) {
        java.util.Arrays.fill(newPin, (byte) 0);
      }
    }
  }

  private Response setPin(Session s, byte[] oldPin, byte[] newPin) {
    try {
      if (!s.readWrite) {
        throw new CkException(CKR_SESSION_READ_ONLY, "C_SetPIN needs a read/write session");
      }
      if (oldPin == null || newPin == null) {
        throw new CkException(CKR_ARGUMENTS_BAD, "there is no protected authentication path: give both PINs");
      }
      if (s.token.soLoggedIn()) {
        throw new CkException(CKR_FUNCTION_NOT_SUPPORTED,
            "the SO PIN is the owner key file's password: re-encrypt the file to change it (docs/pkcs11.md)");
      }
      if (newPin.length < 4 || newPin.length > 64) {
        throw new CkException(CKR_PIN_LEN_RANGE, "PINs are 4 to 64 bytes");
      }
      s.token.setPin(oldPin, newPin);
      return ok();
    } finally {
      for (byte[] pin : new byte[][] {oldPin, newPin}) {
        if (pin != null) {
          java.util.Arrays.fill(pin, (byte) 0);
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
    P11Object o = StorageObjects.create(cls, t, newRecordId(), ownerOf(s, t));
    requireWritable(s, o);
    s.token.save(o);
    return ok().ulong(handle(s.token, o));
  }

  private Response copyObject(Session s, long handle, Template t) {
    P11Object o = object(s, handle);
    if (!o.bool(CKA_COPYABLE)) {
      throw new CkException(CKR_ACTION_PROHIBITED, "this object cannot be copied");
    }
    Map<Long, byte[]> changes = StorageObjects.changes(o, t, true);
    boolean token = changes.containsKey(CKA_TOKEN) ? Native.toBool(changes.get(CKA_TOKEN)) : o.isTokenObject();
    P11Object copy = o.with(newRecordId(), token ? 0 : s.handle, changes);
    requireWritable(s, copy);
    s.token.save(copy);
    return ok().ulong(handle(s.token, copy));
  }

  private Response destroyObject(Session s, long handle) {
    P11Object o = object(s, handle);
    requireWritable(s, o);
    if (!o.bool(CKA_DESTROYABLE)) {
      throw new CkException(CKR_ACTION_PROHIBITED, "this object cannot be destroyed");
    }
    s.token.destroy(o);
    objectByHandle.remove(handle);
    handleByObject.remove(identity(s.token, o));
    return ok();
  }

  private Response getAttributes(Session s, long handle, List<Request.AttributeQuery> query) {
    P11Object o = object(s, handle);
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

  /** One attribute's answer: its length (or CK_UNAVAILABLE_INFORMATION), and its value when copied. */
  private record AttributeAnswer(long length, byte[] value) {}

  private Response setAttributes(Session s, long handle, Template t) {
    P11Object o = object(s, handle);
    if (!o.bool(CKA_MODIFIABLE)) {
      throw new CkException(CKR_ACTION_PROHIBITED, "this object cannot be modified");
    }
    requireWritable(s, o);
    Map<Long, byte[]> changes = StorageObjects.changes(o, t, false);
    if (!changes.isEmpty()) {
      if (o.isTokenObject() && o.deviceLabel() != null) {
        // A view of a key made elsewhere becomes a record: record its partner view too, so it stays.
        for (P11Object x : s.token.objects()) {
          if (o.deviceLabel().equals(x.deviceLabel()) && !x.recordId().equals(o.recordId()) && x.isTokenObject()) {
            s.token.save(x);
          }
        }
      }
      s.token.save(o.with(o.recordId(), o.ownerSession(), changes));
    }
    return ok();
  }

  private Response findInit(Session s, Template t) {
    Map<Long, byte[]> wanted = new LinkedHashMap<>();
    for (Template.Attribute a : t.attributes()) {
      wanted.put(a.type(), a.value() == null ? new byte[0] : a.value());
    }
    List<Long> found = new ArrayList<>();
    for (P11Object o : visible(s)) {
      if (o.matches(wanted)) {
        found.add(handle(s.token, o));
      }
    }
    s.startFind(found);
    return ok();
  }

  private Response findNext(Session s, long max) {
    if (max < 0 || max > 100_000) {
      throw new CkException(CKR_ARGUMENTS_BAD, "ulMaxObjectCount out of range");
    }
    List<Long> next = s.nextFound(max);
    Response r = ok().u32(next.size());
    next.forEach(r::ulong);
    return r;
  }

  // ---- operations

  private Response init(Function f, Session s, MechanismSpec m, long keyHandle) {
    Operations.Context c = new Operations.Context(s.token.client(), key(s, keyHandle), approvedOnly());
    switch (f) {
      case ENCRYPT_INIT -> s.start(Session.Kind.ENCRYPT, new Session.Active(Operations.encryptor(c, m), null));
      case DECRYPT_INIT -> s.start(Session.Kind.DECRYPT, new Session.Active(Operations.decryptor(c, m), null));
      case SIGN_INIT -> s.start(Session.Kind.SIGN, new Session.Active(Operations.signer(c, m), null));
      default -> s.start(Session.Kind.VERIFY, new Session.Active(null, Operations.verifier(c, m)));
    }
    return ok();
  }

  /** C_Sign, C_Encrypt, C_Decrypt, C_Digest: the whole input at once. */
  private Response single(Session s, Session.Kind kind, byte[] data, Request.OutputBuffer out) {
    Session.Active a = s.active(kind);
    try {
      if (a.result == null) {
        if (a.multiPart) {
          throw new CkException(CKR_OPERATION_ACTIVE, "a multi-part operation is under way; finish it with its Final call");
        }
        if (data == null) {
          throw new CkException(CKR_ARGUMENTS_BAD, "pData is NULL");
        }
        a.append(data);
        a.result = a.computation.apply(a.takeInput());
      }
      return deliver(s, kind, a, out);
    } catch (RuntimeException e) {
      s.end(kind);
      throw e;
    }
  }

  private Response update(Session s, Session.Kind kind, byte[] part, Request.OutputBuffer out) {
    Session.Active a = s.active(kind);
    try {
      if (part == null) {
        throw new CkException(CKR_ARGUMENTS_BAD, "pPart is NULL");
      }
      a.multiPart = true;
      a.append(part);
      Response r = ok();
      // Encrypt and decrypt answer output as they go; the device takes the whole input, so all comes at the end.
      return out == null ? r : r.ulong(0).bytes(out.present() ? new byte[0] : null);
    } catch (RuntimeException e) {
      s.end(kind);
      throw e;
    }
  }

  private Response finish(Session s, Session.Kind kind, Request.OutputBuffer out) {
    Session.Active a = s.active(kind);
    try {
      if (a.result == null) {
        a.result = a.computation.apply(a.takeInput());
      }
      return deliver(s, kind, a, out);
    } catch (RuntimeException e) {
      s.end(kind);
      throw e;
    }
  }

  /** Hands a result over, or its length; the operation ends only once the caller has it. */
  private Response deliver(Session s, Session.Kind kind, Session.Active a, Request.OutputBuffer out) {
    byte[] r = a.result;
    if (!out.present()) {
      return ok().ulong(r.length).bytes(null);
    }
    if (Long.compareUnsigned(out.capacity(), r.length) < 0) {
      return new Response(CKR_BUFFER_TOO_SMALL).ulong(r.length).bytes(null);
    }
    Response resp = ok().ulong(r.length).bytes(r);
    s.end(kind);
    return resp;
  }

  private Response verify(Session s, byte[] data, byte[] signature, boolean multiPart) {
    Session.Active a = s.active(Session.Kind.VERIFY);
    try {
      if (signature == null) {
        throw new CkException(CKR_ARGUMENTS_BAD, "pSignature is NULL");
      }
      if (!multiPart) {
        if (a.multiPart) {
          throw new CkException(CKR_OPERATION_ACTIVE, "a multi-part verification is under way; finish it with C_VerifyFinal");
        }
        if (data == null) {
          throw new CkException(CKR_ARGUMENTS_BAD, "pData is NULL");
        }
        a.append(data);
      }
      boolean valid = a.check.apply(a.takeInput(), signature);
      return valid ? ok() : new Response(CKR_SIGNATURE_INVALID);
    } finally {
      s.end(Session.Kind.VERIFY);
    }
  }

  // ---- keys

  private Response generateKey(Session s, MechanismSpec m, Template t) {
    m.noParameter();
    KeyKind kind;
    if (m.type() == CKM_AES_KEY_GEN) {
      KeyTemplates.check(t, CKO_SECRET_KEY, CKK_AES);
      kind = KeyTemplates.aesKind(t.ulong(CKA_VALUE_LEN));
    } else if (m.type() == CKM_GENERIC_SECRET_KEY_GEN) {
      KeyTemplates.check(t, CKO_SECRET_KEY, -1);
      kind = KeyTemplates.secretKind(t);
      if (kind.family() != KeyKind.Family.HMAC) {
        throw new CkException(CKR_TEMPLATE_INCONSISTENT, "generated secrets are HMAC keys: give CKA_KEY_TYPE CKK_SHA*_HMAC");
      }
    } else {
      throw new CkException(CKR_MECHANISM_INVALID, "mechanism 0x" + Long.toHexString(m.type()) + " does not make keys");
    }
    KeyUsage usage = KeyTemplates.usage(kind, t);
    boolean extractable = t.bool(CKA_EXTRACTABLE, false);
    KeyObjects.Naming n = KeyTemplates.naming(t);
    requireWritable(s, n.token());
    String label = newDeviceLabel();
    StoredKey k = deviceCall(() -> s.token.client().generate(label, kind, usage, extractable));
    return ok().ulong(keep(s, secretObject(s, n, k, kind.bytes())));
  }

  private Response generateKeyPair(Session s, MechanismSpec m, Template pub, Template priv) {
    m.noParameter();
    KeyKind kind;
    if (m.type() == CKM_RSA_PKCS_KEY_PAIR_GEN) {
      KeyTemplates.check(pub, CKO_PUBLIC_KEY, CKK_RSA);
      KeyTemplates.check(priv, CKO_PRIVATE_KEY, CKK_RSA);
      kind = KeyTemplates.rsaKind(pub.ulong(CKA_MODULUS_BITS));
      byte[] e = pub.value(CKA_PUBLIC_EXPONENT);
      if (e != null && !new java.math.BigInteger(1, e).equals(java.math.BigInteger.valueOf(65537))) {
        throw new CkException(CKR_ATTRIBUTE_VALUE_INVALID, "the public exponent is 65537");
      }
    } else if (m.type() == CKM_EC_KEY_PAIR_GEN) {
      KeyTemplates.check(pub, CKO_PUBLIC_KEY, CKK_EC);
      KeyTemplates.check(priv, CKO_PRIVATE_KEY, CKK_EC);
      byte[] params = pub.value(CKA_EC_PARAMS);
      kind = KeyTemplates.ecKind(params != null ? params : priv.value(CKA_EC_PARAMS));
    } else {
      throw new CkException(CKR_MECHANISM_INVALID, "mechanism 0x" + Long.toHexString(m.type()) + " does not make key pairs");
    }
    KeyUsage usage = KeyTemplates.usage(kind, pub, priv);
    boolean extractable = priv.bool(CKA_EXTRACTABLE, false);
    KeyObjects.Naming pn = KeyTemplates.naming(pub);
    KeyObjects.Naming kn = KeyTemplates.naming(priv);
    requireWritable(s, pn.token() || kn.token());
    String label = newDeviceLabel();
    StoredKey k = deviceCall(() -> s.token.client().generate(label, kind, usage, extractable));
    P11Object publicObject = new P11Object(newRecordId(), pn.token() ? 0 : s.handle, label, kind,
        KeyObjects.publicKey(kind, usage, k.origin(), k.publicKey(), pn));
    P11Object privateObject = new P11Object(newRecordId(), kn.token() ? 0 : s.handle, label, kind,
        KeyObjects.privateKey(kind, usage, k.origin(), extractable, k.publicKey(), kn));
    return ok().ulong(keep(s, publicObject)).ulong(keep(s, privateObject));
  }

  private Response wrapKey(Session s, MechanismSpec m, long wrappingHandle, long keyHandle, Request.OutputBuffer out) {
    P11Object wrapping = key(s, wrappingHandle);
    P11Object target = key(s, keyHandle);
    if (target.deviceLabel() == null || target.objectClass() == CKO_PUBLIC_KEY) {
      throw new CkException(CKR_KEY_NOT_WRAPPABLE, "only private and secret keys are wrapped");
    }
    if (!target.bool(CKA_EXTRACTABLE)) {
      throw new CkException(CKR_KEY_UNEXTRACTABLE, "the key's CKA_EXTRACTABLE is false");
    }
    if (!wrapping.bool(CKA_WRAP)) {
      throw new CkException(CKR_KEY_FUNCTION_NOT_PERMITTED, "the wrapping key's CKA_WRAP is false");
    }
    byte[] wrapped;
    if (m.type() == CKM_RSA_AES_KEY_WRAP) {
      rsaAesParameters(m);
      if (wrapping.objectClass() != CKO_PUBLIC_KEY || wrapping.kind().family() != KeyKind.Family.RSA) {
        throw new CkException(CKR_WRAPPING_KEY_TYPE_INCONSISTENT, "RSA-AES key wrap wraps to an RSA public key");
      }
      boolean pairInPartition = wrapping.deviceLabel() != null
          && s.token.client().keys().stream().anyMatch(k -> k.label().equals(wrapping.deviceLabel()));
      wrapped = deviceCall(() -> pairInPartition
          ? s.token.client().wrap(wrapping.deviceLabel(), target.deviceLabel(), Algorithm.RSA_AES_KW)
          : s.token.client().wrapFor(wrapping.kind(), wrapping.get(CKA_PUBLIC_KEY_INFO), target.deviceLabel()));
    } else {
      Algorithm alg = aesWrap(m);
      if (wrapping.objectClass() != CKO_SECRET_KEY || wrapping.kind().family() != KeyKind.Family.AES) {
        throw new CkException(CKR_WRAPPING_KEY_TYPE_INCONSISTENT, "AES key wrap needs an AES wrapping key");
      }
      wrapped = deviceCall(() -> s.token.client().wrap(wrapping.deviceLabel(), target.deviceLabel(), alg));
    }
    if (!out.present()) {
      return ok().ulong(wrapped.length).bytes(null);
    }
    if (Long.compareUnsigned(out.capacity(), wrapped.length) < 0) {
      return new Response(CKR_BUFFER_TOO_SMALL).ulong(wrapped.length).bytes(null);
    }
    return ok().ulong(wrapped.length).bytes(wrapped);
  }

  /** The one RSA-AES shape the device speaks (the format of its key import). */
  private static void rsaAesParameters(MechanismSpec m) {
    MechanismSpec.RsaAesWrap p = m.parameter(MechanismSpec.RsaAesWrap.class);
    if (p.aesKeyBits() != 256 || p.oaep() == null || p.oaep().hash() != CKM_SHA256 || p.oaep().mgf() != CKG_MGF1_SHA256
        || (p.oaep().label() != null && p.oaep().label().length > 0)) {
      throw new CkException(CKR_MECHANISM_PARAM_INVALID,
          "RSA-AES key wrap here is AES-256 with OAEP SHA-256, MGF1-SHA-256 and no label");
    }
  }

  private Response unwrapKey(Session s, MechanismSpec m, long unwrappingHandle, byte[] wrapped, Template t) {
    if (wrapped == null) {
      throw new CkException(CKR_ARGUMENTS_BAD, "pWrappedKey is NULL");
    }
    P11Object unwrapping = key(s, unwrappingHandle);
    Long cls = t.ulong(CKA_CLASS);
    if (cls == null || (cls != CKO_SECRET_KEY && cls != CKO_PRIVATE_KEY)) {
      throw new CkException(CKR_TEMPLATE_INCOMPLETE, "an unwrapped key's template gives CKA_CLASS (secret or private key)");
    }
    KeyTemplates.check(t, cls, -1);
    KeyKind kind = unwrappedKind(cls, t);
    KeyUsage usage = KeyTemplates.usage(kind, t);
    boolean extractable = t.bool(CKA_EXTRACTABLE, false);
    KeyObjects.Naming n = KeyTemplates.naming(t);
    requireWritable(s, n.token());
    String label = newDeviceLabel();
    StoredKey k;
    if (m.type() == CKM_RSA_AES_KEY_WRAP) {
      rsaAesParameters(m);
      if (Token.UNWRAPPING_KEY_LABEL.equals(unwrapping.recordId())) {
        k = unwrapCall(() -> s.token.client().importKey(label, kind, usage, extractable, wrapped));
      } else {
        if (unwrapping.objectClass() != CKO_PRIVATE_KEY || unwrapping.kind().family() != KeyKind.Family.RSA) {
          throw new CkException(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, "RSA-AES key unwrap needs an RSA private key");
        }
        if (!unwrapping.bool(CKA_UNWRAP)) {
          throw new CkException(CKR_KEY_FUNCTION_NOT_PERMITTED, "the unwrapping key's CKA_UNWRAP is false");
        }
        k = unwrapCall(() -> s.token.client().unwrap(unwrapping.deviceLabel(), Algorithm.RSA_AES_KW, label, kind, usage,
            extractable, wrapped));
      }
    } else {
      Algorithm alg = aesWrap(m);
      if (unwrapping.objectClass() != CKO_SECRET_KEY || unwrapping.kind().family() != KeyKind.Family.AES) {
        throw new CkException(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, "AES key unwrap needs an AES unwrapping key");
      }
      if (!unwrapping.bool(CKA_UNWRAP)) {
        throw new CkException(CKR_KEY_FUNCTION_NOT_PERMITTED, "the unwrapping key's CKA_UNWRAP is false");
      }
      k = unwrapCall(() -> s.token.client().unwrap(unwrapping.deviceLabel(), alg, label, kind, usage, extractable, wrapped));
    }
    P11Object o = cls == CKO_SECRET_KEY ? secretObject(s, n, k, kind.bytes())
        : new P11Object(newRecordId(), n.token() ? 0 : s.handle, label, kind,
            KeyObjects.privateKey(kind, usage, k.origin(), extractable, k.publicKey(), n));
    return ok().ulong(keep(s, o));
  }

  private Response deriveKey(Session s, MechanismSpec m, long baseHandle, Template t) {
    P11Object base = key(s, baseHandle);
    if (base.objectClass() == CKO_PUBLIC_KEY || base.deviceLabel() == null) {
      throw new CkException(CKR_KEY_TYPE_INCONSISTENT, "derivation starts from a private or secret key");
    }
    if (!base.bool(CKA_DERIVE)) {
      throw new CkException(CKR_KEY_FUNCTION_NOT_PERMITTED, "the base key's CKA_DERIVE is false");
    }
    KeyTemplates.check(t, CKO_SECRET_KEY, -1);
    KeyObjects.Naming n = KeyTemplates.naming(t);
    requireWritable(s, n.token());
    String label = newDeviceLabel();
    DeriveKeyRequest request;
    KeyKind kind;
    int length;
    if (m.type() == CKM_ECDH1_DERIVE) {
      MechanismSpec.Ecdh p = m.parameter(MechanismSpec.Ecdh.class);
      if (p.kdf() != CKD_NULL || (p.sharedData() != null && p.sharedData().length > 0)) {
        throw new CkException(CKR_MECHANISM_PARAM_INVALID, "ECDH here is CKD_NULL with no shared data: derive from the secret");
      }
      Long type = t.ulong(CKA_KEY_TYPE);
      if (type != null && type != CKK_GENERIC_SECRET) {
        throw new CkException(CKR_TEMPLATE_INCONSISTENT, "ECDH makes a generic secret; derive other keys from it");
      }
      if (base.kind().family() != KeyKind.Family.EC) {
        throw new CkException(CKR_KEY_TYPE_INCONSISTENT, "ECDH needs an EC private key");
      }
      kind = KeyKind.SECRET;
      length = base.kind().bytes();
      Long asked = t.ulong(CKA_VALUE_LEN);
      if (asked != null && asked != length) {
        throw new CkException(CKR_TEMPLATE_INCONSISTENT, "an ECDH secret is " + length + " bytes on this curve");
      }
      byte[] peer = EcPoints.spki(base.kind(), p.publicData());
      request = new DeriveKeyRequest(0, DeriveKeyRequest.Method.ECDH, HashAlgorithm.NONE, peer, new byte[0], new byte[0],
          length, new KeyAttributes(kind, KeyTemplates.usage(kind, t), false, t.bool(CKA_EXTRACTABLE, false), label));
    } else if (m.type() == CKM_HKDF_DERIVE || m.type() == CKM_SP800_108_COUNTER_KDF) {
      kind = KeyTemplates.secretKind(t);
      Long len = t.ulong(CKA_VALUE_LEN);
      if (kind == KeyKind.SECRET && len == null) {
        throw new CkException(CKR_TEMPLATE_INCOMPLETE, "a derived generic secret needs CKA_VALUE_LEN");
      }
      length = kind == KeyKind.SECRET ? len.intValue() : kind.bytes();
      KeyAttributes attrs = new KeyAttributes(kind, KeyTemplates.usage(kind, t), false, t.bool(CKA_EXTRACTABLE, false), label);
      request = m.type() == CKM_HKDF_DERIVE ? Kdfs.hkdf(m, length, attrs) : Kdfs.counterKdf(m, length, attrs);
    } else {
      throw new CkException(CKR_MECHANISM_INVALID, "mechanism 0x" + Long.toHexString(m.type()) + " does not derive");
    }
    StoredKey k = deviceCall(() -> s.token.client().derive(base.deviceLabel(), request));
    return ok().ulong(keep(s, secretObject(s, n, k, length)));
  }

  private Response random(Session s, long length) {
    if (length < 0 || length > Session.MAX_INPUT) {
      throw new CkException(CKR_ARGUMENTS_BAD, "at most " + Session.MAX_INPUT + " random bytes per call");
    }
    byte[] out = new byte[(int) length];
    IhsmClient d = device.get();
    for (int at = 0; at < out.length; at += 1024) {
      int n = Math.min(1024, out.length - at);
      byte[] part = deviceCall(() -> d.randomBytes(n));
      System.arraycopy(part, 0, out, at, n);
    }
    return ok().bytes(out);
  }

  private static Algorithm aesWrap(MechanismSpec m) {
    if (m.type() != CKM_AES_KEY_WRAP && m.type() != CKM_AES_KEY_WRAP_KWP) {
      throw new CkException(CKR_MECHANISM_INVALID, "mechanism 0x" + Long.toHexString(m.type()) + " does not wrap here");
    }
    if (m.parameter() != null) {
      throw new CkException(CKR_MECHANISM_PARAM_INVALID, "AES key wrap uses the standard initial value: no parameter");
    }
    return m.type() == CKM_AES_KEY_WRAP ? Algorithm.AES_KW : Algorithm.AES_KWP;
  }

  private static KeyKind unwrappedKind(long cls, Template t) {
    if (cls == CKO_SECRET_KEY) {
      return KeyTemplates.secretKind(t);
    }
    Long type = t.ulong(CKA_KEY_TYPE);
    if (type != null && type == CKK_EC) {
      return KeyTemplates.ecKind(t.value(CKA_EC_PARAMS));
    }
    if (type != null && type == CKK_RSA) {
      return KeyTemplates.rsaKind(t.ulong(CKA_MODULUS_BITS));
    }
    throw new CkException(CKR_TEMPLATE_INCOMPLETE,
        "an unwrapped private key's template gives CKA_KEY_TYPE, and CKA_EC_PARAMS or CKA_MODULUS_BITS");
  }

  private P11Object secretObject(Session s, KeyObjects.Naming n, StoredKey k, int length) {
    return new P11Object(newRecordId(), n.token() ? 0 : s.handle, k.label(), k.kind(),
        KeyObjects.secretKey(k.kind(), k.usage(), k.origin(), k.extractable(), length, n));
  }

  private long keep(Session s, P11Object o) {
    s.token.save(o);
    return handle(s.token, o);
  }

  // ---- lookups

  private Token token(long slot) {
    return tokens.stream().filter(t -> t.slotId == slot).findFirst()
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

  /** The objects a session sees: public ones, private ones once logged in; its token's session objects. */
  private List<P11Object> visible(Session s) {
    boolean user = s.token.loggedIn();
    return s.token.objects().stream().filter(o -> user || !o.isPrivate()).toList();
  }

  private P11Object object(Session s, long handle) {
    String id = objectByHandle.get(handle);
    if (id != null) {
      for (P11Object o : visible(s)) {
        if (identity(s.token, o).equals(id)) {
          return o;
        }
      }
    }
    throw new CkException(CKR_OBJECT_HANDLE_INVALID, "no object " + handle + " in this session's view");
  }

  private P11Object key(Session s, long handle) {
    try {
      P11Object o = object(s, handle);
      long c = o.objectClass();
      if (c != CKO_PRIVATE_KEY && c != CKO_PUBLIC_KEY && c != CKO_SECRET_KEY) {
        throw new CkException(CKR_KEY_HANDLE_INVALID, "object " + handle + " is not a key");
      }
      return o;
    } catch (CkException e) {
      throw e.rv() == CKR_OBJECT_HANDLE_INVALID ? new CkException(CKR_KEY_HANDLE_INVALID, e.getMessage()) : e;
    }
  }

  private long handle(Token t, P11Object o) {
    String id = identity(t, o);
    return handleByObject.computeIfAbsent(id, k -> {
      long h = nextObject++;
      objectByHandle.put(h, k);
      return h;
    });
  }

  private static String identity(Token t, P11Object o) {
    return t.slotId + "/" + o.recordId();
  }

  private void requireWritable(Session s, P11Object o) {
    requireWritable(s, o.isTokenObject());
    if (o.isPrivate() && !s.token.loggedIn()) {
      throw new CkException(CKR_USER_NOT_LOGGED_IN, "private objects need a logged-in user");
    }
  }

  private static void requireWritable(Session s, boolean tokenObject) {
    if (tokenObject && !s.readWrite) {
      throw new CkException(CKR_SESSION_READ_ONLY, "token objects change only in a read/write session");
    }
  }

  private static long ownerOf(Session s, Template t) {
    return t.bool(CKA_TOKEN, false) ? 0 : s.handle;
  }

  private boolean approvedOnly() {
    return deviceCall(() -> device.get().deviceStatus().approvedMode());
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

  private static String newRecordId() {
    byte[] b = new byte[16];
    IDS.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Keys made through PKCS#11 get a partition label of their own; CKA_LABEL is free-form and kept beside. */
  private static String newDeviceLabel() {
    byte[] b = new byte[8];
    IDS.nextBytes(b);
    return "p11-" + HexFormat.of().formatHex(b);
  }

  /** An unwrap the device refuses for its input: the wrapped key is bad, in PKCS#11's words. */
  private static StoredKey unwrapCall(Supplier<StoredKey> call) {
    try {
      return call.get();
    } catch (IhsmException e) {
      switch (e.status()) {
        case BAD_PADDING, INVALID_KEY_MATERIAL -> throw new CkException(CKR_WRAPPED_KEY_INVALID, e.getMessage());
        case INVALID_INPUT_LENGTH, INPUT_TOO_LARGE -> throw new CkException(CKR_WRAPPED_KEY_LEN_RANGE, e.getMessage());
        default -> throw Statuses.of(e);
      }
    }
  }

  private static <T> T deviceCall(Supplier<T> call) {
    try {
      return call.get();
    } catch (IhsmException e) {
      throw Statuses.of(e);
    }
  }

  private static Response ok() {
    return new Response(CKR_OK);
  }

  /** A list answer (slots, mechanisms): the count always, the items only when the caller's array holds them. */
  private static Response list(long[] items, Request.OutputBuffer out) {
    if (out.present() && Long.compareUnsigned(out.capacity(), items.length) < 0) {
      return new Response(CKR_BUFFER_TOO_SMALL).ulong(items.length).u32(0);
    }
    Response r = ok().ulong(items.length).u32(out.present() ? items.length : 0);
    if (out.present()) {
      for (long i : items) {
        r.ulong(i);
      }
    }
    return r;
  }
}
