package io.ihsm.pkcs11;

import static io.ihsm.pkcs11.Ck.*;

import io.ihsm.pkcs11.mechanism.Operations;
import io.ihsm.pkcs11.wire.MechanismSpec;
import io.ihsm.pkcs11.wire.Request;
import io.ihsm.pkcs11.wire.Response;
import java.util.function.BooleanSupplier;

/**
 * Sign, verify, encrypt, decrypt and digest in a session: started with a key and a mechanism, fed
 * in one or several parts, and finished when the caller has the result (a length query or a short
 * buffer keeps the result; any other error ends the operation, PKCS#11 3.0 §5.2). One-shot and
 * multi-part calls do not mix: the call that would mix them is CKR_OPERATION_ACTIVE, an error like
 * any other, so it ends the operation too.
 */
final class OperationFunctions {
  private final ObjectHandles handles;
  private final BooleanSupplier approvedOnly;

  OperationFunctions(ObjectHandles handles, BooleanSupplier approvedOnly) {
    this.handles = handles;
    this.approvedOnly = approvedOnly;
  }

  Response init(Function f, Session s, MechanismSpec m, long keyHandle) {
    Operations.Context c =
        new Operations.Context(s.token.client(), handles.key(s, keyHandle), approvedOnly);
    switch (f) {
      case ENCRYPT_INIT ->
          s.start(Session.Kind.ENCRYPT, new Session.Active(Operations.encryptor(c, m), null));
      case DECRYPT_INIT ->
          s.start(Session.Kind.DECRYPT, new Session.Active(Operations.decryptor(c, m), null));
      case SIGN_INIT ->
          s.start(Session.Kind.SIGN, new Session.Active(Operations.signer(c, m), null));
      default -> s.start(Session.Kind.VERIFY, new Session.Active(null, Operations.verifier(c, m)));
    }
    return Response.ok();
  }

  /*
   * The calls below read their arguments inside their try: a refused argument (too large, say)
   * ends the operation like any other error.
   */

  /** C_Sign, C_Encrypt, C_Decrypt, C_Digest: the whole input at once. */
  Response single(Session s, Session.Kind kind, Request in) {
    Session.Active a = s.active(kind);
    try {
      byte[] data = in.bytes();
      Request.OutputBuffer out = in.output();
      if (a.result == null) {
        if (a.multiPart) {
          throw new CkException(
              CKR_OPERATION_ACTIVE,
              "a multi-part operation is under way; finish it with its Final call");
        }
        if (data == null) {
          throw new CkException(CKR_ARGUMENTS_BAD, "pData is NULL");
        }
        a.append(data);
        a.result = a.computation.apply(a.takeInput());
        a.single = true;
      }
      return deliver(s, kind, a, out);
    } catch (RuntimeException e) {
      s.end(kind);
      throw e;
    }
  }

  /** An update; encrypt and decrypt updates also take an output buffer. */
  Response update(Session s, Session.Kind kind, Request in, boolean withOutput) {
    Session.Active a = s.active(kind);
    try {
      byte[] part = in.bytes();
      Request.OutputBuffer out = withOutput ? in.output() : null;
      if (part == null) {
        throw new CkException(CKR_ARGUMENTS_BAD, "pPart is NULL");
      }
      if (a.single) {
        throw new CkException(
            CKR_OPERATION_ACTIVE, "a one-shot call is under way; finish it with the same call");
      }
      a.multiPart = true;
      a.append(part);
      Response r = Response.ok();
      // Encrypt and decrypt answer output as they go; the device takes the whole input, so all
      // comes at the end.
      return out == null ? r : r.ulong(0).bytes(out.present() ? new byte[0] : null);
    } catch (RuntimeException e) {
      s.end(kind);
      throw e;
    }
  }

  Response finish(Session s, Session.Kind kind, Request in) {
    Session.Active a = s.active(kind);
    try {
      Request.OutputBuffer out = in.output();
      if (a.single) {
        throw new CkException(
            CKR_OPERATION_ACTIVE, "a one-shot call is under way; finish it with the same call");
      }
      a.multiPart = true;
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
  private Response deliver(
      Session s, Session.Kind kind, Session.Active a, Request.OutputBuffer out) {
    Response r = Response.output(a.result, out);
    if (Response.fits(a.result, out)) {
      s.end(kind);
    }
    return r;
  }

  /** C_Verify (data, then signature) or C_VerifyFinal (the signature only). */
  Response verify(Session s, Request in, boolean multiPart) {
    Session.Active a = s.active(Session.Kind.VERIFY);
    try {
      byte[] data = multiPart ? null : in.bytes();
      byte[] signature = in.bytes();
      if (signature == null) {
        throw new CkException(CKR_ARGUMENTS_BAD, "pSignature is NULL");
      }
      if (!multiPart) {
        if (a.multiPart) {
          throw new CkException(
              CKR_OPERATION_ACTIVE,
              "a multi-part verification is under way; finish it with C_VerifyFinal");
        }
        if (data == null) {
          throw new CkException(CKR_ARGUMENTS_BAD, "pData is NULL");
        }
        a.append(data);
      }
      boolean valid = a.check.apply(a.takeInput(), signature);
      return valid ? Response.ok() : new Response(CKR_SIGNATURE_INVALID);
    } finally {
      s.end(Session.Kind.VERIFY);
    }
  }
}
