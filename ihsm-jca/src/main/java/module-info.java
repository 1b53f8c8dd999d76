/** The IHSM JCA/JCE provider over the SDK. */
module io.ihsm.jca {
  requires transitive io.ihsm.sdk;

  exports io.ihsm.jca;

  provides java.security.Provider with
      io.ihsm.jca.IhsmProvider;
}
