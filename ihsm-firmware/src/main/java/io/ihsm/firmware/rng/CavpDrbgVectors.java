package io.ihsm.firmware.rng;

import io.ihsm.firmware.crypto.CryptoEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Runs CTR_DRBG known answers in NIST CAVP (DRBGVS) format: instantiate, the generate calls with
 * their additional input, reseeds (EntropyInputReseed) or prediction-resistance reseeds
 * (EntropyInputPR) where the case has them, the last output compared with ReturnedBits.
 */
public final class CavpDrbgVectors {
  static final String RESOURCE = "ctr_drbg_aes256_df.rsp";

  private CavpDrbgVectors() {}

  /** True when every case of the bundled vectors gives its answer. */
  public static boolean allPass(CryptoEngine engine) {
    return run(engine, read()).isEmpty();
  }

  /** The COUNTs of the cases that failed. */
  static List<String> run(CryptoEngine engine, String rsp) {
    List<String> failed = new ArrayList<>();
    int returnedBytes = 0;
    List<Map.Entry<String, String>> caseFields = new ArrayList<>();
    for (String raw : (rsp + "\n").split("\n")) {
      String line = raw.strip();
      if (line.startsWith("[ReturnedBitsLen = ")) {
        returnedBytes = Integer.parseInt(line.substring(19, line.length() - 1)) / 8;
      } else if (line.isEmpty() || line.startsWith("#") || line.startsWith("[")) {
        if (!caseFields.isEmpty()) {
          if (!runCase(engine, caseFields, returnedBytes)) {
            failed.add(caseFields.getFirst().getValue());
          }
          caseFields = new ArrayList<>();
        }
      } else {
        int eq = line.indexOf('=');
        caseFields.add(Map.entry(line.substring(0, eq).strip(), line.substring(eq + 1).strip()));
      }
    }
    return failed;
  }

  private static boolean runCase(
      CryptoEngine engine, List<Map.Entry<String, String>> fields, int returnedBytes) {
    HexFormat hex = HexFormat.of();
    CtrDrbg drbg = new CtrDrbg(engine);
    byte[] entropy = null;
    byte[] nonce = null;
    byte[] out = null;
    byte[] pendingAdditional = new byte[0];
    byte[] pendingReseed = null;
    boolean instantiated = false;
    boolean pr = fields.stream().anyMatch(f -> f.getKey().equals("EntropyInputPR"));
    for (Map.Entry<String, String> f : fields) {
      byte[] value = f.getKey().equals("COUNT") ? new byte[0] : hex.parseHex(f.getValue());
      switch (f.getKey()) {
        case "EntropyInput" -> entropy = value;
        case "Nonce" -> nonce = value;
        case "PersonalizationString" -> {
          drbg.instantiate(entropy, nonce, value);
          instantiated = true;
        }
        case "AdditionalInput" -> {
          if (pr) {
            pendingAdditional = value;
          } else {
            out = drbg.generate(returnedBytes, value);
          }
        }
        case "EntropyInputPR" -> {
          drbg.reseed(value, pendingAdditional);
          out = drbg.generate(returnedBytes, new byte[0]);
        }
        case "EntropyInputReseed" -> pendingReseed = value;
        case "AdditionalInputReseed" -> drbg.reseed(pendingReseed, value);
        case "ReturnedBits" -> {
          boolean pass = instantiated && out != null && MessageDigest.isEqual(out, value);
          drbg.uninstantiate();
          return pass && drbg.stateIsZero();
        }
        default -> {}
      }
    }
    return false;
  }

  static String read() {
    try (InputStream in = CavpDrbgVectors.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the DRBG known answers are missing from the firmware");
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
