/**
 * The offline attestation verifier: needs the manufacturer's root, not the device or the firmware.
 */
module io.ihsm.verify {
  requires transitive io.ihsm.ddi;
  requires org.bouncycastle.provider;

  exports io.ihsm.verify;
}
