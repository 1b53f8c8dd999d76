package io.ihsm.kms;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.store.DamagedEntryException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import v2.Api.DecryptRequest;
import v2.Api.DecryptResponse;
import v2.Api.EncryptRequest;
import v2.Api.EncryptResponse;
import v2.Api.StatusRequest;
import v2.Api.StatusResponse;
import v2.KeyManagementServiceGrpc;

/**
 * The KMS v2 service: each call validates its request against the API server's own limits before
 * the device sees it, and turns every failure into a gRPC status whose description names the
 * problem and never the data.
 */
final class KeyManagementService extends KeyManagementServiceGrpc.KeyManagementServiceImplBase {
  static final String API_VERSION = "v2";

  private final KmsKey key;

  KeyManagementService(KmsKey key) {
    this.key = key;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    answer(
        response,
        () -> {
          String health = key.health();
          String keyId = "";
          try {
            keyId = key.currentKeyId();
          } catch (RuntimeException unreadable) {
            // the store cannot say: healthz already says what is wrong
          }
          return StatusResponse.newBuilder()
              .setVersion(API_VERSION)
              .setHealthz(health)
              .setKeyId(keyId)
              .build();
        });
  }

  @Override
  public void encrypt(EncryptRequest request, StreamObserver<EncryptResponse> response) {
    answer(
        response,
        () -> {
          byte[] dek = request.getPlaintext().toByteArray();
          try {
            if (dek.length == 0 || dek.length > KmsLimits.MAX_PLAINTEXT_BYTES) {
              throw invalid(
                  "the plaintext is 1 to "
                      + KmsLimits.MAX_PLAINTEXT_BYTES
                      + " bytes, got "
                      + dek.length);
            }
            checkUid(request.getUid());
            KmsKey.Sealed sealed = key.encrypt(request.getUid(), dek);
            return EncryptResponse.newBuilder()
                .setCiphertext(ByteString.copyFrom(sealed.ciphertext()))
                .setKeyId(sealed.keyId())
                .build();
          } finally {
            Arrays.fill(dek, (byte) 0);
          }
        });
  }

  @Override
  public void decrypt(DecryptRequest request, StreamObserver<DecryptResponse> response) {
    answer(
        response,
        () -> {
          byte[] ciphertext = request.getCiphertext().toByteArray();
          if (ciphertext.length == 0 || ciphertext.length > KmsLimits.MAX_CIPHERTEXT_BYTES) {
            throw invalid(
                "the ciphertext is 1 to "
                    + KmsLimits.MAX_CIPHERTEXT_BYTES
                    + " bytes, got "
                    + ciphertext.length);
          }
          String keyId = request.getKeyId();
          int keyIdBytes = keyId.getBytes(StandardCharsets.UTF_8).length;
          if (keyIdBytes == 0 || keyIdBytes > KmsLimits.MAX_KEY_ID_BYTES) {
            throw invalid("the key id is 1 to " + KmsLimits.MAX_KEY_ID_BYTES + " bytes");
          }
          checkUid(request.getUid());
          long annotations = 0;
          for (Map.Entry<String, ByteString> a : request.getAnnotationsMap().entrySet()) {
            annotations += a.getKey().getBytes(StandardCharsets.UTF_8).length + a.getValue().size();
          }
          if (annotations > KmsLimits.MAX_ANNOTATIONS_BYTES) {
            throw invalid("annotations are at most " + KmsLimits.MAX_ANNOTATIONS_BYTES + " bytes");
          }
          byte[] plaintext = key.decrypt(keyId, ciphertext);
          try {
            return DecryptResponse.newBuilder()
                .setPlaintext(ByteString.copyFrom(plaintext))
                .build();
          } finally {
            Arrays.fill(plaintext, (byte) 0);
          }
        });
  }

  private static void checkUid(String uid) {
    if (uid.getBytes(StandardCharsets.UTF_8).length > Envelope.MAX_UID_BYTES) {
      throw invalid("the uid is at most " + Envelope.MAX_UID_BYTES + " bytes");
    }
  }

  private static IllegalArgumentException invalid(String why) {
    return new IllegalArgumentException(why);
  }

  /** Runs a call and answers it, or fails it with the status its failure maps to. */
  private static <T> void answer(StreamObserver<T> response, Supplier<T> call) {
    T answer;
    try {
      answer = call.get();
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
      return;
    } catch (IhsmException e) {
      response.onError(status(e).withDescription(e.getMessage()).asException());
      return;
    } catch (DamagedEntryException e) {
      // The key's entry in the host key store does not read: fail closed, naming it.
      response.onError(Status.INTERNAL.withDescription(e.getMessage()).asException());
      return;
    } catch (RuntimeException e) {
      // A bug must not leak details; the API server retries or reports the plugin unhealthy.
      response.onError(Status.INTERNAL.withDescription("the KMS plugin failed").asException());
      return;
    }
    response.onNext(answer);
    response.onCompleted();
  }

  private static Status status(IhsmException e) {
    return switch (e.status()) {
      case DEVICE_NOT_OPERATIONAL,
          DEVICE_BUSY,
          TRANSPORT_UNAVAILABLE,
          TIMEOUT,
          CONNECTION_LOST,
          NEEDS_REESTABLISH,
          NEEDS_RENEGOTIATION ->
          Status.UNAVAILABLE;
      case BAD_TAG, INVALID_INPUT_LENGTH, INVALID_PARAMETER, LABEL_NOT_FOUND ->
          Status.INVALID_ARGUMENT;
      case KEY_STATE_NOT_PERMITTED, USAGE_NOT_PERMITTED, WRONG_KEY_KIND ->
          Status.FAILED_PRECONDITION;
      default -> Status.INTERNAL;
    };
  }
}
