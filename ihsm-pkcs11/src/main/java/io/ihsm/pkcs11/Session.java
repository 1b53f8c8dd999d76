package io.ihsm.pkcs11;

import io.ihsm.pkcs11.mechanism.Operations;
import io.ihsm.pkcs11.object.P11Object;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One PKCS#11 session: its token, whether it is read/write, its search and its active operations.
 * An operation's input is buffered until it finishes (the device takes whole inputs), bounded; its
 * result is kept while the caller asks for the length or gives too small a buffer.
 */
final class Session {
  /** The operations a session can have going, one of each at a time. */
  enum Kind {
    ENCRYPT,
    DECRYPT,
    DIGEST,
    SIGN,
    VERIFY
  }

  /** The most input one operation takes, across all its parts. */
  static final int MAX_INPUT = 1 << 20;

  final long handle;
  final Token token;
  final boolean readWrite;
  private final Map<Kind, Active> active = new EnumMap<>(Kind.class);
  private Deque<Long> found;

  Session(long handle, Token token, boolean readWrite) {
    this.handle = handle;
    this.token = token;
    this.readWrite = readWrite;
  }

  /**
   * An operation in progress: the work to do, its input so far, and a result not yet handed over.
   */
  static final class Active {
    final Operations.Computation computation;
    final Operations.Check check;
    final ByteArrayOutputStream input = new ByteArrayOutputStream();
    byte[] result;

    /** Fed by Update calls: a one-shot call may not follow. */
    boolean multiPart;

    /** Answered a one-shot length query: an Update or Final may not follow. */
    boolean single;

    Active(Operations.Computation computation, Operations.Check check) {
      this.computation = computation;
      this.check = check;
    }

    void append(byte[] part) {
      if (input.size() + part.length > MAX_INPUT) {
        throw new CkException(
            Ck.CKR_DATA_LEN_RANGE, "an operation takes at most " + MAX_INPUT + " bytes");
      }
      input.writeBytes(part);
    }

    /** The input, wiped from the buffer once taken. */
    byte[] takeInput() {
      byte[] b = input.toByteArray();
      wipe();
      return b;
    }

    void wipe() {
      byte[] zeros = new byte[input.size()];
      input.reset();
      input.writeBytes(zeros);
      input.reset();
    }
  }

  void start(Kind kind, Active a) {
    if (active.containsKey(kind)) {
      throw new CkException(Ck.CKR_OPERATION_ACTIVE, kind + " is already active in this session");
    }
    active.put(kind, a);
  }

  Active active(Kind kind) {
    Active a = active.get(kind);
    if (a == null) {
      throw new CkException(
          Ck.CKR_OPERATION_NOT_INITIALIZED, "no " + kind + " operation in this session");
    }
    return a;
  }

  void end(Kind kind) {
    Active a = active.remove(kind);
    if (a != null) {
      a.wipe();
      if (a.result != null) {
        Arrays.fill(a.result, (byte) 0);
      }
    }
  }

  void endAll() {
    for (Kind k : Kind.values()) {
      end(k);
    }
    found = null;
  }

  void startFind(List<Long> handles) {
    if (found != null) {
      throw new CkException(Ck.CKR_OPERATION_ACTIVE, "a search is already active in this session");
    }
    found = new ArrayDeque<>(handles);
  }

  List<Long> nextFound(long max) {
    if (found == null) {
      throw new CkException(Ck.CKR_OPERATION_NOT_INITIALIZED, "no search in this session");
    }
    ArrayList<Long> out = new ArrayList<>();
    while (out.size() < max && !found.isEmpty()) {
      out.add(found.poll());
    }
    return out;
  }

  void endFind() {
    if (found == null) {
      throw new CkException(Ck.CKR_OPERATION_NOT_INITIALIZED, "no search in this session");
    }
    found = null;
  }

  /** Token objects change only in a read/write session. */
  void requireWritable(boolean tokenObject) {
    if (tokenObject && !readWrite) {
      throw new CkException(
          Ck.CKR_SESSION_READ_ONLY, "token objects change only in a read/write session");
    }
  }

  /**
   * Changing an object: a token object needs a read/write session, a private one the logged-in
   * user.
   */
  void requireWritable(P11Object o) {
    requireWritable(o.isTokenObject());
    if (o.isPrivate() && !token.loggedIn()) {
      throw new CkException(Ck.CKR_USER_NOT_LOGGED_IN, "private objects need a logged-in user");
    }
  }

  long state() {
    if (token.soLoggedIn()) {
      return Ck.CKS_RW_SO_FUNCTIONS; // only read/write sessions exist while the SO is logged in
    }
    boolean user = token.loggedIn();
    if (readWrite) {
      return user ? Ck.CKS_RW_USER_FUNCTIONS : Ck.CKS_RW_PUBLIC_SESSION;
    }
    return user ? Ck.CKS_RO_USER_FUNCTIONS : Ck.CKS_RO_PUBLIC_SESSION;
  }
}
