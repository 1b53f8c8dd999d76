package io.ihsm.ddi;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ihsm.ddi.cbor.Cbor;
import io.ihsm.ddi.cbor.CborException;
import io.ihsm.ddi.cose.CoseKey;
import io.ihsm.ddi.cose.CoseSign1;
import io.ihsm.ddi.key.DeriveKeyRequest;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.GenerateKeyRequest;
import io.ihsm.ddi.key.ImportKeyRequest;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.key.UnwrapKeyRequest;
import io.ihsm.ddi.key.Verified;
import io.ihsm.ddi.key.WrapKeyRequest;
import io.ihsm.ddi.message.ApiRevisionRange;
import io.ihsm.ddi.message.AttestKeyRequest;
import io.ihsm.ddi.message.BindClientRequest;
import io.ihsm.ddi.message.BodyDecoder;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Certificates;
import io.ihsm.ddi.message.CreatePartitionRequest;
import io.ihsm.ddi.message.CredentialChannel;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.FirmwareChunk;
import io.ihsm.ddi.message.FirmwareInfo;
import io.ihsm.ddi.message.GetRandomRequest;
import io.ihsm.ddi.message.Id;
import io.ihsm.ddi.message.Nonce;
import io.ihsm.ddi.message.OwnerRequest;
import io.ihsm.ddi.message.PartitionList;
import io.ihsm.ddi.message.ProvisionRequest;
import io.ihsm.ddi.message.ProvisionResponse;
import io.ihsm.ddi.message.RandomBytes;
import io.ihsm.ddi.message.SealedCredential;
import io.ihsm.ddi.message.SignedDocument;
import io.ihsm.ddi.message.TamperRequest;
import io.ihsm.ddi.spi.Port;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of every decoder an attacker reaches on the protocol side:
 * frames, the header rules, every request and response body, the stream framing, CBOR and COSE.
 * Each target states what must hold for any input. In the normal build each replays its seed corpus
 * and the crash inputs kept under {@code src/test/resources/io/ihsm/ddi/DdiFuzzTestInputs/}; with
 * {@code JAZZER_FUZZ=1} (scripts/fuzz) one target at a time is fuzzed. docs/security-testing.md.
 */
class DdiFuzzTest {
  /** Every body decoder of the protocol. */
  static final List<BodyDecoder<?>> DECODERS =
      List.of(
          Empty::read,
          ApiRevisionRange::read,
          DeviceInfo::read,
          DeviceStatus::read,
          GetRandomRequest::read,
          RandomBytes::read,
          BindClientRequest::read,
          Bytes::readBlob,
          Certificates::read,
          CreatePartitionRequest::read,
          CredentialChannel::read,
          FirmwareChunk::read,
          FirmwareInfo::read,
          Id::read,
          Nonce::read,
          OwnerRequest::read,
          PartitionList::read,
          ProvisionRequest::read,
          ProvisionResponse::read,
          SealedCredential::read,
          SignedDocument::read,
          TamperRequest::read,
          AttestKeyRequest::read,
          DeriveKeyRequest::read,
          Encrypted::read,
          GenerateKeyRequest::read,
          ImportKeyRequest::read,
          KeyInfo::read,
          Operation::read,
          UnwrapKeyRequest::read,
          Verified::read,
          WrapKeyRequest::read);

  interface Call {
    void run() throws Exception;
  }

  /** A decoder answers a value or a DdiException with a status; anything else escaping is a bug. */
  static void onlyDdiExceptions(Call call) {
    try {
      call.run();
    } catch (DdiException expected) {
      assertThat(expected.status()).isNotNull();
    } catch (Exception other) {
      throw new AssertionError("decoder leaked " + other, other);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void requestFramesAndTheirBodies(byte[] frame) {
    onlyDdiExceptions(
        () -> {
          Frames.Request request = Frames.decodeRequest(frame);
          for (Port port : new Port[] {Port.MANAGEMENT, Port.partition(1)}) {
            onlyDdiExceptions(() -> RequestRules.check(request.header(), port));
          }
          for (BodyDecoder<?> d : DECODERS) {
            onlyDdiExceptions(() -> d.read(request.body()));
          }
        });
    // The quick looks a transport takes never throw, whatever the frame.
    Frames.requestIdOf(frame);
    Frames.opcodeOf(frame);
    Frames.sessionIdOf(frame);
    Frames.isSuccess(frame);
    BindClientRequest.tokenOf(frame);
  }

  @FuzzTest(maxDuration = "10s")
  void responseFrames(byte[] frame) {
    onlyDdiExceptions(
        () -> {
          String reason = Frames.decodeResponse(frame).reason();
          assertThat(reason.getBytes(StandardCharsets.UTF_8).length)
              .isLessThanOrEqualTo(Frames.MAX_REASON_BYTES);
          assertThat(reason.chars().noneMatch(Character::isISOControl))
              .as("a reason has no control characters")
              .isTrue();
        });
  }

  /**
   * A byte stream cut into frames: frames, a clean end, or an IOException; never a hang or another
   * exception.
   */
  @FuzzTest(maxDuration = "10s")
  void streamFraming(byte[] stream) {
    FrameReader reader = new FrameReader(Channels.newChannel(new ByteArrayInputStream(stream)));
    try {
      int frames = 0;
      while (reader.next() != null) {
        assertThat(++frames).isLessThanOrEqualTo(stream.length / StreamFraming.PREFIX_BYTES);
      }
    } catch (IOException refused) {
      // oversized, or cut inside a frame: the connection closes
    }
  }

  /**
   * CBOR and COSE as the verifier reads them: a value or a CborException, and what decodes
   * re-encodes identically.
   */
  @FuzzTest(maxDuration = "10s")
  void cborAndCose(byte[] bytes) {
    try {
      Object decoded = Cbor.decode(bytes);
      assertThat(Cbor.encode(decoded)).as("one value, one encoding").isEqualTo(bytes);
    } catch (CborException refused) {
      assertThat(refused.getMessage()).isNotBlank();
    }
    try {
      CoseSign1 m = CoseSign1.decode(bytes);
      if (m.payload() != null
          && Cbor.decode(m.payload()) instanceof Map<?, ?> claims
          && claims.get(19L) instanceof Map<?, ?> key) {
        CoseKey.toPublicKey(key);
      }
    } catch (CborException refused) {
      assertThat(refused.getMessage()).isNotBlank();
    }
  }
}
