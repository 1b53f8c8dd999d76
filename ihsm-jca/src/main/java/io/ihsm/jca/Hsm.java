package io.ihsm.jca;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.sdk.DeviceAddress;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;

/**
 * One provider instance's view of its partition: the device connection and the partition client,
 * opened on first use with the PIN from the KeyStore password, the callback, the PIN file or the
 * environment, in that order. Thread-safe: crypto calls take a pooled session each (see {@link
 * #call}).
 */
final class Hsm {
  private final IhsmConfig config;
  private final CallbackHandler callback;

  /** Sessions a provider opens at most, within the partition's own limit. */
  static final int MAX_SESSIONS = 4;

  private static final SecureRandom LABELS = new SecureRandom();

  private IhsmClient device;
  private final List<PartitionClient> clients = new ArrayList<>();
  private final Deque<PartitionClient> idle = new ArrayDeque<>();
  private String pin;
  private boolean sessionLimitReached;

  Hsm(IhsmConfig config, CallbackHandler callback) {
    this.config = config;
    this.callback = callback;
  }

  IhsmConfig config() {
    return config;
  }

  synchronized IhsmClient device() {
    if (device == null) {
      device =
          IhsmClient.connect(
              config.socketDir() != null
                  ? DeviceAddress.daemon(config.socketDir())
                  : DeviceAddress.embedded(config.home()));
    }
    return device;
  }

  /** The partition's first client, opened with the configured PIN source on first use. */
  synchronized PartitionClient partition() {
    if (clients.isEmpty()) {
      String pin = configuredPin();
      clients.add(open(pin));
      this.pin = pin;
      idle.add(clients.getFirst());
    }
    return clients.getFirst();
  }

  /**
   * Opens the partition with this PIN (a KeyStore password), replacing the sessions opened before.
   */
  synchronized void login(char[] password) {
    String next = new String(password);
    PartitionClient first = open(next);
    closeClients();
    pin = next;
    clients.add(first);
    idle.add(first);
  }

  /**
   * Runs a device call on a client of its own (a session of its own), so calls from several threads
   * run side by side: up to {@link #MAX_SESSIONS} sessions, fewer when the partition's session
   * limit says so; beyond that, a call waits for a free one.
   */
  <T> T call(Function<PartitionClient, T> call) {
    PartitionClient client = borrow();
    try {
      return call.apply(client);
    } finally {
      synchronized (this) {
        if (clients.contains(client)) {
          idle.add(client);
          notifyAll();
        }
      }
    }
  }

  private synchronized PartitionClient borrow() {
    partition();
    while (idle.isEmpty()) {
      if (clients.size() < MAX_SESSIONS && !sessionLimitReached) {
        try {
          PartitionClient more = open(pin);
          clients.add(more);
          return more;
        } catch (IhsmException e) {
          if (e.status() != Status.TOO_MANY_SESSIONS) {
            throw e;
          }
          sessionLimitReached = true; // the partition allows no more: share the ones there are
        }
      }
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IhsmException(
            Status.TIMEOUT, "interrupted while waiting for a free IHSM session");
      }
    }
    return idle.poll();
  }

  /** How many sessions this provider has open (for tests and diagnostics). */
  synchronized int sessions() {
    return clients.size();
  }

  private void closeClients() {
    clients.forEach(PartitionClient::close);
    clients.clear();
    idle.clear();
    sessionLimitReached = false;
  }

  private PartitionClient open(String partitionPin) {
    return PartitionClient.open(
        device(), HostKeyStore.at(config.home()), config.partition(), partitionPin);
  }

  /**
   * @throws IllegalStateException when no source gives a PIN (a configuration problem, not a device
   *     refusal)
   */
  private String configuredPin() {
    if (callback != null) {
      PasswordCallback pc =
          new PasswordCallback("PIN for IHSM partition " + config.partition() + ": ", false);
      try {
        callback.handle(new Callback[] {pc});
        if (pc.getPassword() != null) {
          return new String(pc.getPassword());
        }
      } catch (IOException | UnsupportedCallbackException e) {
        throw new IllegalStateException(
            "the PIN callback for IHSM partition "
                + config.partition()
                + " failed: "
                + e.getMessage());
      } finally {
        pc.clearPassword();
      }
    }
    if (config.pinFile() != null) {
      try {
        return Files.readAllLines(config.pinFile(), StandardCharsets.UTF_8).stream()
            .findFirst()
            .orElse("")
            .strip();
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the PIN file " + config.pinFile());
      }
    }
    String env = System.getenv(config.pinEnv());
    if (env == null || env.isEmpty()) {
      throw new IllegalStateException(
          "no PIN for IHSM partition "
              + config.partition()
              + ": give it to KeyStore.load, or set "
              + config.pinEnv()
              + " or pin-file in the provider configuration");
    }
    return env;
  }

  /**
   * A fresh label for a key made outside a KeyStore call; KeyStore.setKeyEntry files it under its
   * alias.
   */
  String provisionalLabel() {
    // Unique, not secret: the host's randomness, without a device call on every key generation.
    byte[] r = new byte[8];
    LABELS.nextBytes(r);
    return "jca-" + HexFormat.of().formatHex(r);
  }

  /** The key object for a stored key: a private key (with its public key) or a secret key. */
  Key key(StoredKey k) {
    return key(k, k.label());
  }

  /**
   * The key object for a stored key named {@code name}: its label (whichever version is newest when
   * it is used) or {@code label#version} (that version only).
   */
  Key key(StoredKey k, String name) {
    KeyRef ref = new KeyRef(this, name, k.kind(), k.usage());
    if (!k.kind().isAsymmetric()) {
      return new IhsmSecretKey(ref);
    }
    return IhsmPrivateKey.of(ref, publicKey(k.kind(), k.publicKey()));
  }

  static PublicKey publicKey(KeyKind kind, byte[] spki) {
    try {
      return KeyFactory.getInstance(kind.keyAlgorithm())
          .generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the stored public key does not decode", e);
    }
  }

  /** The key is this provider's own HSM key, of a kind in {@code family}; else why not. */
  KeyRef own(Key key, KeyKind.Family... families) throws InvalidKeyException {
    KeyRef ref =
        switch (key) {
          case IhsmPrivateKey p -> p.ref;
          case IhsmSecretKey s -> s.ref;
          case null -> throw new InvalidKeyException("no key given");
          default ->
              throw new InvalidKeyException(
                  "not an IHSM key: a "
                      + key.getAlgorithm()
                      + " "
                      + key.getClass().getSimpleName()
                      + " (IHSM signs, decrypts and MACs only with keys inside the HSM)");
        };
    if (ref.hsm != this) {
      throw new InvalidKeyException("the key belongs to another IHSM provider instance");
    }
    for (KeyKind.Family f : families) {
      if (ref.kind.family() == f) {
        return ref;
      }
    }
    throw new InvalidKeyException("a " + ref.kind.textName() + " key cannot be used here");
  }

  synchronized void close() {
    closeClients();
    pin = null;
    if (device != null) {
      device.close();
      device = null;
    }
  }
}
