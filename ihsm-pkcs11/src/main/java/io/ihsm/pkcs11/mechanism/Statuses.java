package io.ihsm.pkcs11.mechanism;

import io.ihsm.ddi.Status;
import io.ihsm.pkcs11.Ck;
import io.ihsm.pkcs11.CkException;
import io.ihsm.sdk.IhsmException;
import java.util.function.Supplier;

/** The one place where device statuses become PKCS#11 return values. */
public final class Statuses {
  private Statuses() {}

  public static long rv(Status s) {
    return switch (s) {
      case AUTHENTICATION_FAILED, CREDENTIAL_MALFORMED -> Ck.CKR_PIN_INCORRECT;
      case CREDENTIAL_LOCKED -> Ck.CKR_PIN_LOCKED;
      case CONNECTION_LOST, TRANSPORT_UNAVAILABLE -> Ck.CKR_DEVICE_REMOVED;
      case DEVICE_NOT_OPERATIONAL, SELF_TEST_FAILED, DEVICE_BUSY, TIMEOUT, INTERNAL_ERROR ->
          Ck.CKR_DEVICE_ERROR;
      case KEY_TABLE_FULL, TOO_MANY_SESSIONS, PARTITION_LIMIT -> Ck.CKR_DEVICE_MEMORY;
      case WRONG_KEY_KIND -> Ck.CKR_KEY_TYPE_INCONSISTENT;
      case USAGE_NOT_PERMITTED -> Ck.CKR_KEY_FUNCTION_NOT_PERMITTED;
      case INVALID_INPUT_LENGTH, INPUT_TOO_LARGE, DATA_UNIT_OUT_OF_RANGE -> Ck.CKR_DATA_LEN_RANGE;
      case BAD_TAG, BAD_PADDING -> Ck.CKR_ENCRYPTED_DATA_INVALID;
      case NOT_APPROVED -> Ck.CKR_MECHANISM_INVALID;
      case INVALID_PARAMETER, INVALID_PUBLIC_KEY, CURVE_MISMATCH -> Ck.CKR_MECHANISM_PARAM_INVALID;
      case NOT_EXTRACTABLE -> Ck.CKR_KEY_UNEXTRACTABLE;
      case INVALID_KEY_MATERIAL -> Ck.CKR_WRAPPED_KEY_INVALID;
      case KEY_NOT_FOUND, LABEL_NOT_FOUND -> Ck.CKR_OBJECT_HANDLE_INVALID;
      case LABEL_EXISTS -> Ck.CKR_FUNCTION_FAILED;
      case PARTITION_NOT_FOUND,
          NOT_PROVISIONED,
          MASKED_BLOB_INVALID,
          MASKED_BLOB_FOREIGN,
          MASKED_BLOB_STALE ->
          Ck.CKR_TOKEN_NOT_RECOGNIZED;
      default -> Ck.CKR_FUNCTION_FAILED;
    };
  }

  /** Runs a device call; its failure becomes the PKCS#11 return value. */
  public static <T> T call(Supplier<T> call) {
    try {
      return call.get();
    } catch (IhsmException e) {
      throw of(e);
    }
  }

  public static CkException of(IhsmException e) {
    return new CkException(rv(e.status()), e.status() + ": " + e.getMessage());
  }
}
