package io.ihsm.cli;

import io.ihsm.ddi.Status;
import io.ihsm.ddi.credential.Credential;
import io.ihsm.ddi.key.Algorithm;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.HashAlgorithm;
import io.ihsm.ddi.key.KeyKind;
import io.ihsm.ddi.key.KeyUsage;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.message.DeviceInfo;
import io.ihsm.ddi.message.DeviceStatus;
import io.ihsm.ddi.message.PartitionLimits;
import io.ihsm.sdk.CryptoOfficerSession;
import io.ihsm.sdk.IhsmClient;
import io.ihsm.sdk.IhsmException;
import io.ihsm.sdk.PartitionClient;
import io.ihsm.sdk.store.HostKeyStore;
import io.ihsm.sdk.store.HostKeyStore.StoredKey;
import io.ihsm.verify.AttestationException;
import io.ihsm.verify.AttestationPolicy;
import io.ihsm.verify.AttestationVerifier;
import io.ihsm.verify.VerifiedReport;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * `ihsm demo`: a guided tour on the embedded device: a partition, EC, RSA and AES keys made inside
 * it, signatures checked by the JDK's own providers, encryption, a device reset after which the
 * same keys still work, and a key attestation report verified offline.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "A guided tour on the embedded device (state under --home): partition, keys, signatures, reset, "
            + "key attestation.")
final class DemoCommand implements Callable<Integer> {
  static final String PARTITION = "demo";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    IhsmCommand root = IhsmCommand.of(spec);
    if (!root.embedded()) {
      throw new CliFailure(
          "the demo runs on the embedded device; drop --socket-dir / IHSM_SOCKET_DIR");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "ihsm demo: a tour of the embedded device (development mode: the firmware runs in this process)");
    out.println();
    HostKeyStore store = HostKeyStore.at(root.home());
    try (IhsmClient hsm = root.connect()) {
      DeviceInfo info = hsm.deviceInfo();
      DeviceStatus status = hsm.deviceStatus();
      out.printf(
          "1. Device %s (%s), firmware %s on %s: %s, DDI API %s.%n",
          info.serialNumber(),
          info.model(),
          info.firmwareVersion(),
          info.cryptoEngine(),
          status.state(),
          hsm.apiRevision());

      // A fresh partition each run; its PIN is random and never shown.
      String pin = HexFormat.of().formatHex(hsm.randomBytes(12));
      try (Credential co = CryptoOfficerFile.load(hsm, root.home(), true);
          CryptoOfficerSession officer = hsm.loginCryptoOfficer(co)) {
        for (var p : officer.listPartitions()) {
          if (p.name().equals(PARTITION)) {
            officer.deletePartition(p.id());
          }
        }
        if (store.partition(PARTITION).isPresent()) {
          store.deletePartition(PARTITION);
        }
        PartitionClient.create(
            hsm,
            officer,
            store,
            PARTITION,
            PartitionLimits.DEFAULTS,
            OwnerKey.anchor(root.home(), null),
            pin);
      }
      out.printf(
          "2. The Crypto Officer created partition '%s'; its owner provisioned it (blobs kept in %s).%n",
          PARTITION, root.home().resolve("partitions").resolve(PARTITION));

      byte[] message = "Pay 100 EUR to Alice".getBytes(StandardCharsets.UTF_8);
      try (PartitionClient app = PartitionClient.open(hsm, store, PARTITION, pin)) {
        StoredKey ec = app.generate("ec-signer", KeyKind.EC_P256, KeyUsage.SIGN, false);
        StoredKey rsa = app.generate("rsa-signer", KeyKind.RSA_2048, KeyUsage.SIGN, false);
        app.generate("aes-data", KeyKind.AES_256, KeyUsage.ENCRYPT, false);
        out.println(
            "3. Generated inside the device: EC P-256 and RSA-2048 signing keys, an AES-256 key."
                + " Only their public keys and masked blobs came out.");

        byte[] ecSig =
            app.sign(
                "ec-signer",
                Operation.of(0, Algorithm.ECDSA, message).withHash(HashAlgorithm.SHA256));
        out.printf(
            "4. ECDSA P-256 signature: %s by the JDK's own provider.%n",
            verdict(jdkVerify("SHA256withECDSA", "EC", ec.publicKey(), message, ecSig, null)));
        byte[] pss =
            app.sign(
                "rsa-signer",
                Operation.of(0, Algorithm.RSA_PSS, message)
                    .withPss(HashAlgorithm.SHA256, HashAlgorithm.SHA256, 32));
        out.printf(
            "   RSASSA-PSS signature:    %s by the JDK's own provider.%n",
            verdict(
                jdkVerify(
                    "RSASSA-PSS",
                    "RSA",
                    rsa.publicKey(),
                    message,
                    pss,
                    new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1))));

        Encrypted sealed = app.encrypt("aes-data", Operation.of(0, Algorithm.AES_GCM, message));
        byte[] opened =
            app.decrypt(
                "aes-data",
                Operation.of(0, Algorithm.AES_GCM, sealed.ciphertext()).withIv(sealed.iv()));
        out.printf(
            "5. AES-256-GCM: %d bytes sealed (IV chosen by the device), opened again: %s.%n",
            sealed.ciphertext().length,
            Arrays.equals(opened, message) ? "same message" : "MISMATCH");

        hsm.resetEmbeddedDevice();
        out.println(
            "6. Reset the device (like a live migration): sessions, loaded keys and partition secrets are gone.");
        byte[] again =
            app.sign(
                "ec-signer",
                Operation.of(0, Algorithm.ECDSA, message).withHash(HashAlgorithm.SHA256));
        out.printf(
            "7. The SDK re-established the partition from its blob and reloaded the key: new signature %s.%n",
            verdict(jdkVerify("SHA256withECDSA", "EC", ec.publicKey(), message, again, null)));

        out.println("8. " + attest(root, hsm, app, ec));
      }
    }
    out.println();
    out.println(
        "Done. Try: ihsm key list --partition "
            + PARTITION
            + " (the demo partition's PIN is random and never shown,");
    out.println(
        "so make a partition of your own to sign with: export IHSM_PIN=choose-a-pin; ihsm partition create mine),"
            + " or ihsm --help.");
    out.flush();
    return ExitCodes.OK;
  }

  /**
   * Attests the EC key and checks the report offline, as a relying party would: trusting only the
   * manufacturer's root (the development CA, which manufactures the device first if it has no
   * identity).
   */
  private static String attest(IhsmCommand root, IhsmClient hsm, PartitionClient app, StoredKey key)
      throws Exception {
    ManufacturerCa ca = ManufacturerCa.load(root.home(), null, null);
    String step = "";
    try {
      hsm.certificateChain();
    } catch (IhsmException e) {
      if (e.status() != Status.NOT_MANUFACTURED) {
        throw e;
      }
      ca.manufacture(hsm);
      step = "Manufactured the device with the development CA (NOT FOR PRODUCTION). ";
    }
    byte[] nonce = hsm.randomBytes(16);
    byte[] report = app.attest("ec-signer", nonce);
    List<X509Certificate> chain = new ArrayList<>();
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    for (byte[] der : app.certificates().reversed()) {
      chain.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(der)));
    }
    X509Certificate trusted =
        (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(ca.root()));
    try {
      var verified =
          (VerifiedReport.KeyAttestation)
              AttestationVerifier.verify(
                  AttestationPolicy.trusting(trusted).withNonce(nonce), chain, report);
      boolean sameKey =
          verified
              .publicKey()
              .map(k -> Arrays.equals(k.getEncoded(), key.publicKey()))
              .orElse(false);
      return step
          + "Key attestation ("
          + report.length
          + " bytes of COSE_Sign1): verified offline to the manufacturer root; "
          + "the device says '"
          + verified.claims().serialNumber()
          + "' holds "
          + verified.kind()
          + ", "
          + verified.origin()
          + " inside, "
          + (verified.extractable() ? "extractable" : "never leaves")
          + ", firmware SVN "
          + verified.tcb().svn()
          + (sameKey ? "; same public key as the store's." : "; PUBLIC KEY MISMATCH.");
    } catch (AttestationException e) {
      return step + "Key attestation NOT verified: " + e.reason() + ": " + e.getMessage();
    }
  }

  private static String verdict(boolean ok) {
    return ok ? "verified" : "NOT verified";
  }

  private static boolean jdkVerify(
      String alg, String keyAlg, byte[] spki, byte[] message, byte[] sig, PSSParameterSpec pss)
      throws Exception {
    PublicKey key = KeyFactory.getInstance(keyAlg).generatePublic(new X509EncodedKeySpec(spki));
    Signature v = Signature.getInstance(alg);
    if (pss != null) {
      v.setParameter(pss);
    }
    v.initVerify(key);
    v.update(message);
    return v.verify(sig);
  }
}
