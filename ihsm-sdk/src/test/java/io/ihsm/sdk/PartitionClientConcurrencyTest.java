package io.ihsm.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.cipher.AesGcmParameters;
import io.ihsm.sdk.cipher.Ciphertext;
import io.ihsm.sdk.key.HashFunction;
import io.ihsm.sdk.key.KeyPurpose;
import io.ihsm.sdk.key.KeyType;
import io.ihsm.sdk.signature.EcdsaParameters;
import io.ihsm.sdk.signature.HmacParameters;
import io.ihsm.sdk.signature.RsaPssParameters;
import io.ihsm.sdk.store.HostKeyStore;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One PartitionClient shared by many threads: every result right, and no call waiting on another's
 * device call.
 */
class PartitionClientConcurrencyTest {
  static final int THREADS = 8;

  @TempDir Path home;

  @Test
  void eightThreadsShareOneClientWithMixedOperationsAndEveryResultIsRight() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    // Room for three keys and five labels: the threads also race key loading, eviction and
    // reloading.
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      PartitionClientTest.setUp(hsm, store, new PartitionLimits(16, 3, 16384, 10, 100, 900));
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        PublicKey ec =
            publicKey(
                "EC", app.generate("ec", KeyType.EC_P256, KeyPurpose.SIGN, false).publicKey());
        PublicKey rsa =
            publicKey(
                "RSA", app.generate("rsa", KeyType.RSA_2048, KeyPurpose.SIGN, false).publicKey());
        app.generate("mac", KeyType.HMAC_SHA256, KeyPurpose.SIGN, false);
        app.generate("aes", KeyType.AES_256, KeyPurpose.ENCRYPT, false);
        app.generate("aes2", KeyType.AES_128, KeyPurpose.ENCRYPT, false);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          done.add(
              pool.submit(
                  () -> {
                    int checked = 0;
                    for (int i = 0; i < 25; i++) {
                      byte[] message = ("thread " + thread + " message " + i).getBytes();
                      EcdsaParameters ecdsa =
                          EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.DER);
                      assertThat(
                              jdkVerifies(
                                  "SHA256withECDSA",
                                  null,
                                  ec,
                                  message,
                                  app.sign("ec", ecdsa, message)))
                          .isTrue();
                      byte[] pss =
                          app.sign("rsa", RsaPssParameters.of(HashFunction.SHA256), message);
                      assertThat(
                              jdkVerifies(
                                  "RSASSA-PSS",
                                  new PSSParameterSpec(
                                      "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1),
                                  rsa,
                                  message,
                                  pss))
                          .isTrue();
                      byte[] tag = app.sign("mac", HmacParameters.create(), message);
                      assertThat(app.verify("mac", HmacParameters.create(), message, tag)).isTrue();
                      String aes = i % 2 == 0 ? "aes" : "aes2";
                      Ciphertext sealed = app.encrypt(aes, AesGcmParameters.create(), message);
                      assertThat(app.decrypt(aes, AesGcmParameters.create(), sealed))
                          .isEqualTo(message);
                      checked += 4;
                    }
                    return checked;
                  }));
        }
        int total = 0;
        for (Future<Integer> f : done) {
          total += f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertThat(total).isEqualTo(THREADS * 25 * 4);
      }
    }
  }

  @Test
  void aSignatureDoesNotWaitForAnotherThreadsSlowKeyGeneration() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      PartitionClientTest.setUp(hsm, store, PartitionLimits.DEFAULTS);
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        app.generate("ec", KeyType.EC_P256, KeyPurpose.SIGN, false);
        EcdsaParameters ecdsa =
            EcdsaParameters.of(HashFunction.SHA256, EcdsaParameters.Encoding.DER);
        app.sign("ec", ecdsa, new byte[1]); // loaded
        AtomicBoolean generated = new AtomicBoolean();
        CountDownLatch generating = new CountDownLatch(1);
        Thread slow =
            new Thread(
                () -> {
                  generating.countDown();
                  // An RSA-4096 key pair takes the device hundreds of milliseconds; a client-wide
                  // lock would hold the signer.
                  app.generate("big", KeyType.RSA_4096, KeyPurpose.SIGN, false);
                  generated.set(true);
                });
        slow.start();
        generating.await();
        Thread.onSpinWait();
        app.sign("ec", ecdsa, new byte[2]);
        boolean signedFirst = !generated.get();
        slow.join();
        assertThat(signedFirst)
            .as("the signature came back while the key generation was still running")
            .isTrue();
        assertThat(app.hasKey("big")).isTrue();
      }
    }
  }

  @Test
  void aKeyAskedForByManyThreadsAtOnceIsLoadedOnce() throws Exception {
    LiveSession live = new LiveSession(null);
    AtomicInteger loads = new AtomicInteger();
    AtomicInteger arrived = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<Integer>> handles = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      handles.add(
          pool.submit(
              () -> {
                arrived.incrementAndGet();
                try (LiveSession.Lease lease =
                    live.acquire(
                        "shared",
                        label -> {
                          loads.incrementAndGet();
                          while (arrived.get() < THREADS) {
                            Thread.onSpinWait(); // every thread is asking while the first load runs
                          }
                          return 42;
                        })) {
                  return lease.handle;
                }
              }));
    }
    for (Future<Integer> h : handles) {
      assertThat(h.get(1, TimeUnit.MINUTES)).isEqualTo(42);
    }
    pool.shutdown();
    assertThat(loads.get()).isEqualTo(1);
    assertThat(live.handles()).containsExactly(42);
    try (LiveSession.Lease inUse = live.acquire("shared", label -> 0)) {
      assertThat(live.evictEldest()).as("a key in use is not unloaded to make room").isNull();
    }
    live.forget("shared", 7);
    assertThat(live.handles())
        .as("a handle that is not the recorded one is not forgotten")
        .containsExactly(42);
    live.forget("shared", 42);
    assertThat(live.handles()).isEmpty();
  }

  static PublicKey publicKey(String algorithm, byte[] spki) throws Exception {
    return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
  }

  static boolean jdkVerifies(
      String algorithm, PSSParameterSpec pss, PublicKey key, byte[] message, byte[] signature)
      throws Exception {
    Signature v = Signature.getInstance(algorithm);
    if (pss != null) {
      v.setParameter(pss);
    }
    v.initVerify(key);
    v.update(message);
    return v.verify(signature);
  }

  @Test
  void resetsWhileThreadsWorkCostNoCall() throws Exception {
    HostKeyStore store = HostKeyStore.at(home);
    try (IhsmClient hsm = IhsmClient.connect(DeviceAddress.embedded(home))) {
      PartitionClientTest.setUp(hsm, store, new PartitionLimits(0, 0, 0, 0, 8));
      try (PartitionClient app = PartitionClient.open(hsm, store, "app", PartitionClientTest.PIN)) {
        app.generate("aes", KeyType.AES_256, KeyPurpose.ENCRYPT, false);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
          List<Future<Integer>> done = new ArrayList<>();
          for (int t = 0; t < 4; t++) {
            done.add(
                pool.submit(
                    () -> {
                      int ok = 0;
                      for (int i = 0; i < 150; i++) {
                        byte[] m = ("message " + i).getBytes();
                        AesGcmParameters gcm = AesGcmParameters.create();
                        assertThat(app.decrypt("aes", gcm, app.encrypt("aes", gcm, m)))
                            .isEqualTo(m);
                        ok++;
                      }
                      return ok;
                    }));
          }
          // Resets land in the middle of requests, of opening sessions and of re-establishing:
          // each caller gets its answer all the same (requests wait out the reboot).
          for (int r = 0; r < 4; r++) {
            Thread.sleep(40);
            hsm.resetEmbeddedDevice();
          }
          for (Future<Integer> f : done) {
            assertThat(f.get(120, TimeUnit.SECONDS)).isEqualTo(150);
          }
        } finally {
          pool.shutdownNow();
        }
      }
    }
  }
}
