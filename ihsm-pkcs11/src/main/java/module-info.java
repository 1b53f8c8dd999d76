/** The Java bridge of libihsm-pkcs11.so: all the PKCS#11 logic, over the SDK. */
module io.ihsm.pkcs11 {
  requires io.ihsm.sdk;
  requires jdk.net;

  exports io.ihsm.pkcs11;
}
